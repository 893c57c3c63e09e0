package io.github.scanout.source.qemudbus.internal;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.freedesktop.dbus.connections.IDisconnectCallback;
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
 * <p>Once QEMU has authenticated the connection, Scanout's copy of the accepted socket is closed
 * without a shutdown ({@link #dropCopy}; junixsocket's close shuts a socket down, which would end
 * QEMU's copy too): QEMU then holds the only copy, so when QEMU exits dbus-java reads end of
 * file and the connection ends (the disconnect callback of
 * {@link #open(HandOver, DBusInterface, Duration, IDisconnectCallback)}).
 */
final class PeerConnections {

    /** A connection and the accepted socket handed to QEMU (closed already once the peer is open). */
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
        return open(handOver, export, timeout, null);
    }

    /**
     * Opens a peer connection through the accept trick, with one method-call thread (QEMU's calls
     * are handled one at a time, in the order QEMU sent them: a {@code Scanout} before the
     * {@code Update}s that draw on it) and a callback for its end.
     *
     * @param onDisconnect told when the connection ends (QEMU closed it or exited), or null
     */
    static Peer open(HandOver handOver, DBusInterface export, Duration timeout, IDisconnectCallback onDisconnect)
            throws IOException, DBusException {
        Path dir = Files.createTempDirectory("scanout-qemu-dbus",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path sock = dir.resolve("peer.sock");
        DirectConnection connection = null;
        AFUNIXSocket accepted = null;
        try (AFUNIXServerSocket server = AFUNIXServerSocket.bindOn(AFUNIXSocketAddress.of(sock))) {
            server.setSoTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
            DirectConnectionBuilder builder = DirectConnectionBuilder.forAddress("unix:path=" + sock)
                .transportConfig().withAutoConnect(false).back()
                .receivingThreadConfig().withMethodCallThreadCount(1).connectionConfig();
            if (onDisconnect != null) {
                builder.withDisconnectCallback(onDisconnect);
            }
            DirectConnection c = builder.build();
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
            // QEMU holds its own copy now: drop ours without shutting the socket down, so that
            // QEMU's exit is the end of the connection (dbus-java reads end of file)
            dropCopy(accepted);
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

    /**
     * Closes this process's fd of a socket QEMU holds a copy of, without {@code shutdown(2)}:
     * junixsocket's close always shuts a socket down first, which ends the connection for QEMU's
     * copy too. Closing the socket's own {@link FileDescriptor} through a {@link FileOutputStream}
     * (the JDK's documented "closing the stream closes the descriptor") is a plain
     * {@code close(2)} and marks the descriptor invalid, so junixsocket's close afterwards finds
     * no fd to shut down or close (measured against QEMU 7.2: the display connection lives on,
     * and QEMU's exit is then end of file for dbus-java).
     */
    static void dropCopy(AFUNIXSocket socket) throws IOException {
        FileDescriptor fd = socket.getFileDescriptor();
        if (fd != null && fd.valid()) {
            new FileOutputStream(fd).close();
        }
        socket.close();
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
