package io.github.scanout.source.qemudbus.internal;

import io.github.scanout.source.qemudbus.internal.PeerConnections.Peer;
import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import org.freedesktop.dbus.FileDescriptor;
import org.freedesktop.dbus.connections.IDisconnectCallback;
import org.freedesktop.dbus.exceptions.DBusException;
import org.freedesktop.dbus.exceptions.DBusExecutionException;
import org.freedesktop.dbus.interfaces.Properties;
import org.newsclub.net.unix.FileDescriptorCast;

/**
 * QEMU's D-Bus display reached through its QMP socket (docs/qemu-dbus.md): {@link #open} hands
 * QEMU a peer connection ({@code getfd} + {@code add_client}); {@link #registerListener} registers
 * a {@link Display1Listener} for one console on a second peer connection, on which QEMU then
 * calls it. dbus-java 5 with its junixsocket transport (fd passing) is the binding.
 * Not thread-safe; close the listeners before the display.
 */
final class QemuDisplay implements Closeable {

    private static final String FD_NAME = "scanout-dbus";
    private static final String CONSOLE = "org.qemu.Display1.Console";

    private final Peer display;
    private final Duration timeout;

    private QemuDisplay(Peer display, Duration timeout) {
        this.display = display;
        this.timeout = timeout;
    }

    /** Opens the display connection through {@code qmp}; {@code timeout} bounds QEMU's authentication. */
    static QemuDisplay open(QmpClient qmp, Duration timeout) throws IOException, DBusException {
        Peer peer = PeerConnections.open(accepted -> {
            qmp.getfd(FD_NAME, accepted.getFileDescriptor());
            qmp.addDbusClient(FD_NAME);
        }, null, timeout);
        return new QemuDisplay(peer, timeout);
    }

    /**
     * Registers {@code listener} for console {@code console}; QEMU calls it on the returned
     * connection until that is closed.
     *
     * @throws IOException naming the console if QEMU refuses (no such console, ...)
     */
    Peer registerListener(int console, Display1Listener listener) throws IOException, DBusException {
        return registerListener(console, listener, null);
    }

    /**
     * As {@link #registerListener(int, Display1Listener)}, telling {@code onDisconnect} when the
     * listener's connection ends (QEMU exited or closed it).
     */
    Peer registerListener(int console, Display1Listener listener, IDisconnectCallback onDisconnect)
            throws IOException, DBusException {
        String path = "/org/qemu/Display1/Console_" + console;
        Display1Console remote = display.connection().getRemoteObject(path, Display1Console.class);
        return PeerConnections.open(accepted -> {
            int fd = FileDescriptorCast.using(accepted.getFileDescriptor()).as(Integer.class);
            try {
                remote.RegisterListener(new FileDescriptor(fd));
            } catch (DBusExecutionException e) {
                throw new IOException("QEMU refused a listener for console " + console + ": " + QmpMessage.oneLine(String.valueOf(e.getMessage())), e);
            }
        }, listener, timeout, onDisconnect);
    }

    /**
     * The console's current size, its {@code Width} and {@code Height} properties (QEMU's answer:
     * check it before use). QEMU 7.2 switches a console's surface without a {@code Scanout} (see
     * {@link ConsoleSurface}); the listener reads the new size here.
     *
     * @return {width, height} as QEMU answered them, unsigned
     * @throws IOException naming the console when QEMU does not answer them as numbers
     */
    /** The display connection (QEMU's consoles, keyboards and mice are objects on it). */
    org.freedesktop.dbus.connections.impl.DirectConnection connection() {
        return display.connection();
    }

    long[] consoleSize(int console) throws IOException {
        String path = "/org/qemu/Display1/Console_" + console;
        try {
            Properties props = display.connection().getRemoteObject(path, Properties.class);
            return new long[] {number(props.Get(CONSOLE, "Width"), console, "Width"),
                number(props.Get(CONSOLE, "Height"), console, "Height")};
        } catch (DBusException | DBusExecutionException e) {
            throw new IOException("QEMU did not tell the size of console " + console + ": "
                + QmpMessage.oneLine(String.valueOf(e.getMessage())), e);
        }
    }

    private static long number(Object v, int console, String name) throws IOException {
        if (v instanceof Number n) {
            return n.longValue();
        }
        throw new IOException("QEMU answered the " + name + " of console " + console + " with "
            + (v == null ? "nothing" : v.getClass().getSimpleName()) + ", not a number");
    }

    @Override
    public void close() throws IOException {
        display.close();
    }
}
