package io.github.scanout.source.qemudbus.internal;

import io.github.scanout.source.qemudbus.internal.PeerConnections.Peer;
import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import org.freedesktop.dbus.FileDescriptor;
import org.freedesktop.dbus.connections.IDisconnectCallback;
import org.freedesktop.dbus.connections.impl.DBusConnection;
import org.freedesktop.dbus.connections.impl.DBusConnectionBuilder;
import org.freedesktop.dbus.exceptions.DBusException;
import org.freedesktop.dbus.exceptions.DBusExecutionException;
import org.freedesktop.dbus.interfaces.DBus;
import org.freedesktop.dbus.interfaces.DBusInterface;
import org.freedesktop.dbus.interfaces.Properties;
import org.newsclub.net.unix.FileDescriptorCast;

/**
 * QEMU's D-Bus display (docs/qemu-dbus.md), reached one of two ways: through its QMP socket
 * ({@link #open}: QEMU gets a peer connection through {@code getfd} + {@code add_client}), or on
 * the message bus QEMU was started on ({@link #onBus}: a bus connection, {@code Hello}, QEMU's
 * objects at the name {@code org.qemu}). From there both are the same: {@link #registerListener}
 * registers a {@link Display1Listener} for one console on a second, peer connection, on which
 * QEMU then calls it; {@link #get} gives QEMU's objects (the console's keyboard and mouse). dbus-java 5 with
 * its junixsocket transport (fd passing) is the binding.
 * Not thread-safe; close the listeners before the display.
 */
final class QemuDisplay implements Closeable, QemuObjects {

    private static final String FD_NAME = "scanout-dbus";
    private static final String CONSOLE = "org.qemu.Display1.Console";
    /** The name QEMU owns on a bus ({@code -display dbus,addr=...}). */
    static final String BUS_NAME = "org.qemu";

    private final QemuObjects objects;
    private final Closeable connection;
    private final Duration timeout;

    private QemuDisplay(QemuObjects objects, Closeable connection, Duration timeout) {
        this.objects = objects;
        this.connection = connection;
        this.timeout = timeout;
    }

    /** Opens the display connection through {@code qmp}; {@code timeout} bounds QEMU's authentication. */
    static QemuDisplay open(QmpClient qmp, Duration timeout) throws IOException, DBusException {
        Peer peer = PeerConnections.open(accepted -> {
            qmp.getfd(FD_NAME, accepted.getFileDescriptor());
            qmp.addDbusClient(FD_NAME);
        }, null, timeout);
        return new QemuDisplay(peer.connection()::getRemoteObject, peer::close, timeout);
    }

    /**
     * Connects to the bus at {@code address} ({@code Hello}) and finds QEMU's display there, at the
     * name {@value #BUS_NAME}.
     *
     * @throws IOException one line: no bus at the address, or nobody owns {@value #BUS_NAME} on it
     */
    static QemuDisplay onBus(String address, Duration timeout) throws IOException {
        DBusConnection bus;
        try {
            bus = DBusConnectionBuilder.forAddress(address).withShared(false).build();
        } catch (DBusException | RuntimeException e) {
            throw new IOException("cannot connect to the D-Bus bus at " + address + ": "
                + QmpMessage.oneLine(String.valueOf(rootMessage(e))), e);
        }
        try {
            DBus daemon = bus.getRemoteObject("org.freedesktop.DBus", "/org/freedesktop/DBus", DBus.class);
            if (!daemon.NameHasOwner(BUS_NAME)) {
                throw new IOException("no QEMU on the D-Bus bus at " + address + ": nobody owns org.qemu"
                    + " (QEMU is started with -display dbus,addr=" + address + ")");
            }
        } catch (IOException | DBusException | RuntimeException e) {
            try {
                bus.close();
            } catch (IOException | RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            if (e instanceof IOException io) {
                throw io;
            }
            throw new IOException("the D-Bus bus at " + address + " did not answer: "
                + QmpMessage.oneLine(String.valueOf(e.getMessage())), e);
        }
        QemuObjects objects = new QemuObjects() {
            @Override
            public <T extends DBusInterface> T get(String path, Class<T> type) throws DBusException {
                return bus.getRemoteObject(BUS_NAME, path, type);
            }
        };
        return new QemuDisplay(objects, bus, timeout);
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() != null ? t.getMessage() : t.toString();
    }

    /** QEMU's objects on the display connection (its consoles, keyboards and mice). */
    @Override
    public <T extends DBusInterface> T get(String path, Class<T> type) throws DBusException {
        return objects.get(path, type);
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
        Display1Console remote = objects.get(path, Display1Console.class);
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
    long[] consoleSize(int console) throws IOException {
        String path = "/org/qemu/Display1/Console_" + console;
        try {
            Properties props = objects.get(path, Properties.class);
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
        connection.close();
    }
}
