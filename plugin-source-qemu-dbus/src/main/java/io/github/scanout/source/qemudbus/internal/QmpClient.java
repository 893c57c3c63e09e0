package io.github.scanout.source.qemudbus.internal;

import io.github.scanout.source.qemudbus.internal.QmpMessage.QmpProtocolException;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.FileDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/**
 * A client of QEMU's QMP socket, just enough to hand QEMU a peer D-Bus connection
 * (docs/qemu-dbus.md, facts 1 to 3): {@link #connect} reads the greeting (it must be QMP's, and
 * names the QEMU version) and enters command mode ({@code qmp_capabilities}); {@link #getfd}
 * sends a file descriptor as {@code SCM_RIGHTS} in the same {@code sendmsg} as the command
 * (junixsocket: the JDK's Unix sockets cannot pass fds); {@link #addDbusClient} makes QEMU serve
 * its D-Bus display on a descriptor it got that way.
 *
 * <p>A command's reply is the first message with {@code return} or {@code error}; events in
 * between are skipped. QEMU's error becomes a {@link QmpCommandException} whose one-line message
 * names the command and QEMU's {@code desc}; a malformed message a {@link QmpProtocolException};
 * a silent QEMU a timeout after the given bound. Not thread-safe: one caller at a time.
 */
public final class QmpClient implements Closeable {

    /** QEMU refused a command; the message is one line naming the command and QEMU's reason. */
    public static final class QmpCommandException extends IOException {
        private static final long serialVersionUID = 1L;
        private final String errorClass;

        QmpCommandException(String command, String errorClass, String desc) {
            super("QMP " + command + " failed: " + desc);
            this.errorClass = errorClass;
        }

        /** QEMU's error class, e.g. {@code GenericError}. */
        public String errorClass() {
            return errorClass;
        }
    }

    private final AFUNIXSocket socket;
    private final InputStream in;
    private final OutputStream out;
    private final String qemuVersion;
    private final Path path;
    private int eventsSkipped;

    private QmpClient(AFUNIXSocket socket, Path path, Duration timeout) throws IOException {
        this.socket = socket;
        this.path = path;
        socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis())));
        this.in = new java.io.BufferedInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
        QmpMessage greeting = read("the greeting");
        if (greeting.kind() != QmpMessage.Kind.GREETING) {
            throw new QmpProtocolException(path + " is not a QMP socket: its first message is not QMP's greeting");
        }
        this.qemuVersion = greeting.version();
        execute("qmp_capabilities", "{\"execute\":\"qmp_capabilities\"}", null);
    }

    /**
     * Connects to the QMP socket at {@code path}, checks the greeting and enters command mode.
     *
     * @param timeout how long to wait for each message from QEMU
     * @throws IOException naming the path if the socket cannot be reached, or as described above
     */
    public static QmpClient connect(Path path, Duration timeout) throws IOException {
        AFUNIXSocket socket = AFUNIXSocket.newInstance();
        try {
            socket.connect(AFUNIXSocketAddress.of(path));
        } catch (IOException e) {
            socket.close();
            throw new IOException("cannot connect to QMP socket " + path + ": " + e.getMessage(), e);
        }
        try {
            return new QmpClient(socket, path, timeout);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** The QEMU version its greeting named, {@code major.minor.micro}. */
    public String qemuVersion() {
        return qemuVersion;
    }

    /** How many asynchronous events were skipped while waiting for replies. */
    public int eventsSkipped() {
        return eventsSkipped;
    }

    /**
     * {@code getfd}: hands QEMU {@code fd} under {@code name} (SCM_RIGHTS in the command's
     * sendmsg; null sends none, which QEMU refuses). QEMU holds its own copy afterwards.
     */
    public void getfd(String name, FileDescriptor fd) throws IOException {
        execute("getfd", "{\"execute\":\"getfd\",\"arguments\":{\"fdname\":" + quote(name) + "}}", fd);
    }

    /** {@code add_client} with protocol {@code @dbus-display}: QEMU serves its D-Bus display on the fd named {@code fdname}. */
    public void addDbusClient(String fdname) throws IOException {
        execute("add_client", "{\"execute\":\"add_client\",\"arguments\":{\"protocol\":\"@dbus-display\",\"fdname\":"
            + quote(fdname) + "}}", null);
    }

    private void execute(String command, String json, FileDescriptor fd) throws IOException {
        byte[] bytes = (json + "\n").getBytes(StandardCharsets.UTF_8);
        if (fd != null) {
            socket.setOutboundFileDescriptors(fd);
        }
        out.write(bytes);
        out.flush();
        while (true) {
            QmpMessage m = read("the reply to " + command);
            switch (m.kind()) {
                case RETURN -> {
                    return;
                }
                case ERROR -> throw new QmpCommandException(command, m.errorClass(), m.errorDesc());
                case EVENT -> eventsSkipped++;
                case GREETING -> throw new QmpProtocolException("QMP sent a second greeting instead of the reply to " + command);
            }
        }
    }

    private QmpMessage read(String what) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(256);
        while (true) {
            int b;
            try {
                b = in.read();
            } catch (SocketTimeoutException e) {
                throw new SocketTimeoutException("QMP socket " + path + " sent nothing for " + socket.getSoTimeout()
                    + " ms while Scanout waited for " + what);
            }
            if (b < 0) {
                throw new IOException("QMP socket " + path + " closed before " + what);
            }
            if (b == '\n') {
                byte[] l = line.toByteArray();
                int n = l.length > 0 && l[l.length - 1] == '\r' ? l.length - 1 : l.length;
                if (n == 0) {
                    line.reset();
                    continue;
                }
                return QmpMessage.parse(l, n);
            }
            if (line.size() >= QmpMessage.MAX_LINE + 1) {
                throw new QmpProtocolException("QMP message longer than " + QmpMessage.MAX_LINE + " bytes");
            }
            line.write(b);
        }
    }

    /** A JSON string literal for a name chosen by Scanout (letters, digits, '-', '_', '.' only). */
    private static String quote(String name) {
        if (name.isEmpty() || !name.chars().allMatch(c -> c < 128 && (Character.isLetterOrDigit(c) || c == '-' || c == '_' || c == '.'))) {
            throw new IllegalArgumentException("QMP fd name must be letters, digits, '-', '_' or '.', got '" + QmpMessage.oneLine(name) + "'");
        }
        return "\"" + name + "\"";
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
