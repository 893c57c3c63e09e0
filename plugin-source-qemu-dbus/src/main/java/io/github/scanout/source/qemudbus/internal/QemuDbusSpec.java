package io.github.scanout.source.qemudbus.internal;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.support.ConfigException;
import io.github.scanout.api.support.ConfigKey;
import io.github.scanout.api.support.ConfigReader;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@code qemu-dbus:} device spec, one of
 * <ul>
 *   <li>{@code qemu-dbus:qmp:/path/to/qmp.sock?console=N}: QEMU's QMP socket (QEMU started with
 *       {@code -display dbus,p2p=yes});</li>
 *   <li>{@code qemu-dbus:bus:ADDRESS?console=N}: the D-Bus message bus QEMU was started on
 *       ({@code -display dbus,addr=ADDRESS}; QEMU owns {@code org.qemu} there), ADDRESS a D-Bus
 *       address {@code unix:path=/abs/path} (optionally {@code ,guid=HEX}, as
 *       {@code dbus-daemon --print-address} writes it).</li>
 * </ul>
 * and the console to show (default 0). The first {@code ?} ends the address without ambiguity:
 * the D-Bus specification lets a value hold only {@code -0-9A-Za-z_/.\*} unescaped, so a
 * {@code ?} of an address is written {@code %3f}. Scanout takes the unescaped set only (no
 * {@code %}-escapes, no list of addresses after {@code ;}). Options are read with the
 * configuration toolkit ({@link ConfigReader}); an unknown option, a bad value or a spec of
 * another form is one line naming the spec.
 *
 * @param qmp the QMP socket's path, absolute; null for a bus
 * @param bus the bus address; null for a QMP socket
 * @param console the console index
 */
record QemuDbusSpec(Path qmp, String bus, int console) {
    static final String SCHEME = "qemu-dbus";
    static final String FORM = "expected qemu-dbus:qmp:/path/to/qmp.sock?console=N or"
        + " qemu-dbus:bus:unix:path=/path/to/bus.sock?console=N";
    /** A D-Bus address value's bytes that need no escape (D-Bus specification, "Server Addresses"). */
    private static final java.util.regex.Pattern VALUE = java.util.regex.Pattern.compile("[-0-9A-Za-z_/.\\\\*]+");

    /** A spec of QEMU's QMP socket. */
    QemuDbusSpec(Path qmp, int console) {
        this(qmp, null, console);
    }

    /** The form the spec names, for messages: {@code QMP socket PATH} or {@code D-Bus bus ADDRESS}. */
    String where() {
        return qmp != null ? "QMP socket " + qmp : "D-Bus bus " + bus;
    }
    static final List<ConfigKey> KEYS = List.of(
        ConfigKey.integer("console", 0, 255, 0, "the QEMU console to show (its index, as in Console_N)"));
    /** sun_path holds 108 bytes, the last a NUL. */
    static final int MAX_PATH = 107;

    static QemuDbusSpec parse(String spec) throws DeviceException {
        String prefix = SCHEME + ":qmp:";
        String busPrefix = SCHEME + ":bus:";
        boolean onBus = spec.regionMatches(true, 0, busPrefix, 0, busPrefix.length());
        if (!onBus && !spec.regionMatches(true, 0, prefix, 0, prefix.length())) {
            throw new DeviceException("spec '" + spec + "' is not a qemu-dbus device: " + FORM);
        }
        String rest = spec.substring(prefix.length());
        int q = rest.indexOf('?');
        String path = q < 0 ? rest : rest.substring(0, q);
        String query = q < 0 ? "" : rest.substring(q + 1);
        if (onBus) {
            checkAddress(spec, path);
        } else if (!path.startsWith("/") || path.length() > MAX_PATH || path.indexOf('\0') >= 0) {
            throw new DeviceException("spec '" + spec + "': the QMP socket '" + path + "' is not an absolute path of"
                + " at most " + MAX_PATH + " characters: " + FORM);
        }
        Map<String, String> options = new LinkedHashMap<>();
        for (String pair : query.isEmpty() ? new String[0] : query.split("&", -1)) {
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            if (KEYS.stream().noneMatch(k -> k.name().equals(key))) {
                throw new DeviceException("spec '" + spec + "': unknown option '" + key + "': " + FORM);
            }
            if (eq < 0) {
                throw new DeviceException("spec '" + spec + "': option '" + key + "' has no value: " + FORM);
            }
            if (options.put(key, pair.substring(eq + 1)) != null) {
                throw new DeviceException("spec '" + spec + "': option '" + key + "' is given twice");
            }
        }
        ConfigReader r = new ConfigReader("spec '" + spec + "'", KEYS, options);
        try {
            r.check();
        } catch (ConfigException e) {
            throw new DeviceException(e.getMessage());
        }
        return onBus ? new QemuDbusSpec(null, path, r.integer("console"))
            : new QemuDbusSpec(Path.of(path), r.integer("console"));
    }

    /**
     * A bus address Scanout can reach: {@code unix:} with one {@code path=} (absolute, at most
     * {@value #MAX_PATH} characters) and optionally one {@code guid=}, values of the unescaped set.
     */
    private static void checkAddress(String spec, String address) throws DeviceException {
        String why = null;
        if (!address.startsWith("unix:")) {
            why = "only a unix: address with path= is supported";
        } else if (address.indexOf(';') >= 0) {
            why = "one address, not a list";
        } else {
            Map<String, String> keys = new LinkedHashMap<>();
            for (String pair : address.substring("unix:".length()).split(",", -1)) {
                int eq = pair.indexOf('=');
                String key = eq < 0 ? pair : pair.substring(0, eq);
                String value = eq < 0 ? "" : pair.substring(eq + 1);
                if (!key.equals("path") && !key.equals("guid")) {
                    why = "key '" + key + "' is not path or guid (only unix:path= is supported)";
                } else if (!VALUE.matcher(value).matches()) {
                    why = "the value of " + key + " is empty or has a character outside -0-9A-Za-z_/.\\* (no %-escapes)";
                } else if (keys.put(key, value) != null) {
                    why = "key '" + key + "' is given twice";
                }
                if (why != null) {
                    break;
                }
            }
            String path = keys.get("path");
            if (why == null && (path == null || !path.startsWith("/") || path.length() > MAX_PATH)) {
                why = "path= is not an absolute path of at most " + MAX_PATH + " characters";
            }
        }
        if (why != null) {
            throw new DeviceException("spec '" + spec + "': the bus address '" + address + "' is refused: " + why + ": "
                + FORM);
        }
    }
}
