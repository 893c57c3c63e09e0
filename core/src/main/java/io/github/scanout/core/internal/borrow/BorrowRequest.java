package io.github.scanout.core.internal.borrow;

import io.github.scanout.api.DeviceException;
import io.github.scanout.core.internal.vfio.VfioOpener;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The borrow helper's protocol, one line each way over a Unix stream socket:
 * <pre>
 *   request:  borrow SPEC\n          SPEC = vm:PID | vm:PID/UUID | vm:UUID | libvirt:DOMAIN[/UUID]
 *   reply:    ok PID UUID\n          with two fds (SCM_RIGHTS): the device fd, a pidfd of the VMM
 *             error [transient] MESSAGE\n   no fd; transient when trying again later may work
 * </pre>
 * Requests come from other users, so the parser takes bytes and refuses anything but the forms
 * above in at most {@value #MAX_REQUEST} bytes of printable ASCII, with one line naming the fault.
 */
public record BorrowRequest(String spec) {

    public static final String VERB = "borrow";
    public static final int MAX_REQUEST = 256;
    public static final int MAX_REPLY = 1024;

    private static final Pattern VM_PID = Pattern.compile("vm:([1-9][0-9]{0,9})(?:/(" + uuidPattern() + "))?");
    private static final Pattern VM_UUID = Pattern.compile("vm:(" + uuidPattern() + ")");
    private static final Pattern LIBVIRT = Pattern.compile("libvirt:([A-Za-z0-9_.+:-][A-Za-z0-9_.+:@-]{0,127})(?:/("
            + uuidPattern() + "))?");

    private static String uuidPattern() {
        return VfioOpener.UUID.pattern();
    }

    /** Parses a request (the bytes a client sent, up to the first newline). */
    public static BorrowRequest parse(byte[] bytes) throws DeviceException {
        if (bytes.length > MAX_REQUEST) {
            throw new DeviceException("request longer than " + MAX_REQUEST + " bytes");
        }
        int end = bytes.length;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '\n') {
                end = i;
                break;
            }
        }
        if (end == bytes.length) {
            throw new DeviceException("request without a newline");
        }
        for (int i = 0; i < end; i++) {
            if (bytes[i] < 0x20 || bytes[i] > 0x7e) {
                throw new DeviceException("request byte " + i + " is not printable ASCII");
            }
        }
        String line = new String(bytes, 0, end, StandardCharsets.US_ASCII);
        if (!line.startsWith(VERB + " ")) {
            throw new DeviceException("expected 'borrow SPEC'");
        }
        String spec = line.substring(VERB.length() + 1);
        if (VM_PID.matcher(spec).matches() || VM_UUID.matcher(spec).matches()) {
            return new BorrowRequest(spec.toLowerCase(Locale.ROOT));
        }
        Matcher m = LIBVIRT.matcher(spec);
        if (m.matches() && !m.group(1).contains("..")) {
            return new BorrowRequest(m.group(2) == null ? spec : "libvirt:" + m.group(1) + "/"
                    + m.group(2).toLowerCase(Locale.ROOT));
        }
        throw new DeviceException("'" + clip(spec) + "' is not vm:PID, vm:PID/UUID, vm:UUID, libvirt:DOMAIN or"
                + " libvirt:DOMAIN/UUID");
    }

    private static String clip(String s) {
        return s.length() > 80 ? s.substring(0, 77) + "..." : s;
    }

    /** The bytes of an ok reply. */
    public static byte[] ok(int pid, String uuid) {
        return ("ok " + pid + " " + uuid + "\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** The bytes of an error reply: one line, printable ASCII, at most {@value #MAX_REPLY} bytes. */
    public static byte[] error(String message, boolean transientError) {
        StringBuilder b = new StringBuilder("error ").append(transientError ? "transient " : "");
        for (char c : message.toCharArray()) {
            b.append(c >= 0x20 && c <= 0x7e ? c : '?');
        }
        String line = b.length() > MAX_REPLY - 1 ? b.substring(0, MAX_REPLY - 4) + "..." : b.toString();
        return (line + "\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** A parsed reply: an error, or the PID and mdev of the VMM whose device came with it. */
    public record Reply(String error, boolean transientError, int pid, String uuid) {}

    private static final Pattern OK = Pattern.compile("ok ([1-9][0-9]{0,9}) (" + uuidPattern() + ")");

    /** Parses the helper's reply; {@code fds} is how many fds came with it. */
    public static Reply parseReply(byte[] bytes, int fds) throws DeviceException {
        if (bytes.length == 0) {
            throw new DeviceException("it closed the connection without a reply");
        }
        if (bytes[bytes.length - 1] != '\n') {
            throw new DeviceException("its reply does not end with a newline");
        }
        String line = new String(bytes, 0, bytes.length - 1, StandardCharsets.US_ASCII);
        if (line.startsWith("error ")) {
            String rest = line.substring(6);
            boolean t = rest.startsWith("transient ");
            return new Reply(t ? rest.substring(10) : rest, t, 0, null);
        }
        Matcher m = OK.matcher(line);
        if (!m.matches()) {
            throw new DeviceException("unexpected reply '" + clip(line) + "'");
        }
        if (fds != 2) {
            throw new DeviceException("its reply came with " + fds + " fds instead of 2");
        }
        return new Reply(null, false, Integer.parseInt(m.group(1)), m.group(2).toLowerCase(Locale.ROOT));
    }
}
