package io.github.scanout.source.qemudbus.internal;

import io.github.scanout.source.qemudbus.internal.PeerConnections.Peer;
import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import org.freedesktop.dbus.FileDescriptor;
import org.freedesktop.dbus.exceptions.DBusException;
import org.freedesktop.dbus.exceptions.DBusExecutionException;
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
        String path = "/org/qemu/Display1/Console_" + console;
        Display1Console remote = display.connection().getRemoteObject(path, Display1Console.class);
        return PeerConnections.open(accepted -> {
            int fd = FileDescriptorCast.using(accepted.getFileDescriptor()).as(Integer.class);
            try {
                remote.RegisterListener(new FileDescriptor(fd));
            } catch (DBusExecutionException e) {
                throw new IOException("QEMU refused a listener for console " + console + ": " + QmpMessage.oneLine(String.valueOf(e.getMessage())), e);
            }
        }, listener, timeout);
    }

    @Override
    public void close() throws IOException {
        display.close();
    }
}
