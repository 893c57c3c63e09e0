package io.github.scanout.source.qemudbus.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.freedesktop.dbus.connections.impl.DirectConnection;
import org.freedesktop.dbus.connections.impl.DirectConnectionBuilder;
import org.freedesktop.dbus.exceptions.DBusException;
import org.freedesktop.dbus.interfaces.DBusInterface;
import org.newsclub.net.unix.AFUNIXServerSocket;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/**
 * Peer D-Bus connections to QEMU where QEMU is the server and Scanout the client on both
 * (docs/qemu-dbus.md, facts 4 and 6, "Binding decision"). dbus-java connects to an address, not
 * to an open fd, so: listen on a socket in a private (0700) directory, let dbus-java's
 * {@link DirectConnection} connect to it, accept that connection, remove the path, and hand the
 * accepted socket to QEMU ({@code getfd} + {@code add_client}, or {@code RegisterListener}),
 * which then authenticates dbus-java from its end. Objects to export are exported before the
 * connection starts, so no call of QEMU's finds them missing.
 *
 * <p>The accepted socket stays open as long as the connection: junixsocket's close shuts the
 * socket down, which would end QEMU's copy too. Close it after the connection.
 */
final class PeerConnections {

    /** A connection and the accepted socket QEMU holds a copy of. */
    record Peer(DirectConnection connection, AFUNIXSocket handedOver) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            try {
                connection.close();
            } finally {
                handedOver.close();
            }
        }
    }

    /** What hands QEMU the accepted socket; runs while dbus-java waits for QEMU's authentication. */
    interface HandOver {
        void accept(AFUNIXSocket accepted) throws IOException, DBusException;
    }

    private PeerConnections() {}

    /**
     * Opens a peer connection through the accept trick.
     *
     * @param export an object to export before the connection starts, or null
     * @param timeout how long QEMU may take to authenticate the connection
     */
    static Peer open(HandOver handOver, DBusInterface export, Duration timeout) throws IOException, DBusException {
        Path dir = Files.createTempDirectory("scanout-qemu-dbus",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path sock = dir.resolve("peer.sock");
        DirectConnection connection = null;
        AFUNIXSocket accepted = null;
        try (AFUNIXServerSocket server = AFUNIXServerSocket.bindOn(AFUNIXSocketAddress.of(sock))) {
            server.setSoTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
            DirectConnection c = DirectConnectionBuilder.forAddress("unix:path=" + sock)
                .transportConfig().withAutoConnect(false).back().build();
            connection = c;
            if (export != null) {
                c.exportObject(export.getObjectPath(), export);
            }
            CompletableFuture<Void> connected = CompletableFuture.runAsync(() -> {
                try {
                    c.connect();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            accepted = server.accept();
            Files.deleteIfExists(sock);
            handOver.accept(accepted);
            connected.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return new Peer(c, accepted);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw closeAll(connection, accepted, new IOException("interrupted while QEMU authenticated the D-Bus connection"));
        } catch (TimeoutException e) {
            throw closeAll(connection, accepted, new IOException("QEMU did not authenticate the D-Bus connection within " + timeout.toMillis() + " ms"));
        } catch (ExecutionException e) {
            throw closeAll(connection, accepted, new IOException("D-Bus connection to QEMU failed: " + e.getCause().getMessage(), e.getCause()));
        } catch (IOException e) {
            throw closeAll(connection, accepted, e);
        } catch (DBusException e) {
            throw closeAll(connection, accepted, e);
        } catch (RuntimeException e) {
            throw closeAll(connection, accepted, e);
        } finally {
            Files.deleteIfExists(sock);
            Files.deleteIfExists(dir);
        }
    }

    private static <E extends Exception> E closeAll(DirectConnection c, AFUNIXSocket s, E failure) {
        try {
            if (c != null) {
                c.close();
            }
        } catch (IOException | RuntimeException e) {
            failure.addSuppressed(e);
        }
        try {
            if (s != null) {
                s.close();
            }
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
        return failure;
    }
}
