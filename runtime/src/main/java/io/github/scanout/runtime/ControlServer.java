package io.github.scanout.runtime;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;

/**
 * The control socket: a Unix-domain stream socket (never TCP) that {@code scanout ctl} talks to,
 * one {@link ControlRequest} and one reply per connection.
 *
 * <p>Where it listens, unless {@code --control PATH} says: the first of
 * {@code $RUNTIME_DIRECTORY} (systemd's {@code RuntimeDirectory=}), {@code $XDG_RUNTIME_DIR/scanout}
 * and the cache directory, as {@code control-KEY.sock} where KEY names the distribution (a hash
 * of its path), so that two distributions never share a socket. The socket gets mode 0660 so the
 * service's group may use it. A socket file there that accepts connections belongs to another
 * instance: it is left alone and this one listens nowhere (said once); one that refuses them is
 * stale and replaced.
 *
 * <p>At most {@value #MAX_CLIENTS} connections are served at once; each has
 * {@value #REQUEST_SECONDS} s to send its request.
 *
 * <p>Threads: one accept thread ({@code scanout-control}); a thread per connection; a timer
 * closing connections that do not send their request in time. {@link #close} from any thread.
 */
final class ControlServer implements AutoCloseable {
    static final int MAX_CLIENTS = 8;
    static final int REQUEST_SECONDS = 10;

    /** Answers one request. */
    interface Handler {
        Reply handle(ControlRequest request);
    }

    /** A reply: status 0 (done), 1 (failed) or 2 (bad request), and its body. */
    record Reply(int status, String body) {
        static Reply ok(String body) {
            return new Reply(0, body);
        }

        static Reply failed(String body) {
            return new Reply(1, body);
        }

        static Reply bad(String body) {
            return new Reply(2, body);
        }
    }

    private final Path path;
    private final ServerSocketChannel server;
    private final Handler handler;
    private final Semaphore slots = new Semaphore(MAX_CLIENTS);
    private final ScheduledExecutorService timer;
    private final Thread acceptor;
    private volatile boolean closed;

    private ControlServer(Path path, ServerSocketChannel server, Handler handler) {
        this.path = path;
        this.server = server;
        this.handler = handler;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "scanout-control-timer"));
        this.acceptor = daemon(this::acceptLoop, "scanout-control");
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** The distribution's key in socket names: 8 hex digits of a CRC of its path. */
    static String key(Distribution dist) {
        CRC32 crc = new CRC32();
        crc.update(dist.home().toString().getBytes(StandardCharsets.UTF_8));
        return String.format("%08x", crc.getValue());
    }

    /** The socket file name for a distribution. */
    static String fileName(Distribution dist) {
        return "control-" + key(dist) + ".sock";
    }

    /**
     * The directories a socket may be in, in the order of the rules: where a new instance
     * listens (the first) and where {@code scanout ctl} looks (all of them, then
     * {@code /run/scanout}, where the shipped systemd unit's instance listens).
     */
    static List<Path> directories(Distribution dist, Map<String, String> env) {
        List<Path> dirs = new ArrayList<>();
        String rd = env.get("RUNTIME_DIRECTORY");
        if (rd != null && !rd.isBlank()) {
            dirs.add(Path.of(rd.split(":")[0]));
        }
        String xdg = env.get("XDG_RUNTIME_DIR");
        if (xdg != null && !xdg.isBlank() && Files.isDirectory(Path.of(xdg))) {
            dirs.add(Path.of(xdg, "scanout"));
        }
        dirs.add(dist.cache());
        return dirs;
    }

    /** Where a new instance listens without {@code --control}. */
    static Path defaultPath(Distribution dist, Map<String, String> env) {
        return directories(dist, env).get(0).resolve(fileName(dist));
    }

    /**
     * Listens at {@code path}.
     *
     * @throws IOException with one line when it cannot (another instance listens there, the
     *     path is too long for a socket, the directory cannot be written)
     */
    static ControlServer start(Path path, Handler handler) throws IOException {
        Path abs = path.toAbsolutePath().normalize();
        if (abs.getParent() != null) {
            Files.createDirectories(abs.getParent());
        }
        if (Files.exists(abs)) {
            if (accepts(abs)) {
                throw new IOException("another instance listens on " + abs + "; this one has no control socket"
                        + " (give it --control PATH)");
            }
            Files.delete(abs); // stale: its instance is gone
        }
        ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.bind(UnixDomainSocketAddress.of(abs));
            Files.setPosixFilePermissions(abs, PosixFilePermissions.fromString("rw-rw----"));
        } catch (IOException | RuntimeException e) {
            ch.close();
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw new IOException("cannot listen on " + abs + ": " + why, e);
        }
        ControlServer s = new ControlServer(abs, ch, handler);
        s.acceptor.start();
        return s;
    }

    /** Whether something accepts connections on the socket at {@code path}. */
    static boolean accepts(Path path) {
        try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            c.connect(UnixDomainSocketAddress.of(path));
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    Path path() {
        return path;
    }

    private void acceptLoop() {
        while (!closed) {
            SocketChannel c;
            try {
                c = server.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (closed) {
                    return;
                }
                continue;
            }
            if (!slots.tryAcquire()) {
                reply(c, Reply.failed("busy: " + MAX_CLIENTS + " requests are being served; try again"));
                closeQuietly(c);
                continue;
            }
            daemon(() -> {
                try {
                    serve(c);
                } finally {
                    slots.release();
                    closeQuietly(c);
                }
            }, "scanout-control-client").start();
        }
    }

    private void serve(SocketChannel c) {
        var timeout = timer.schedule(() -> closeQuietly(c), REQUEST_SECONDS, TimeUnit.SECONDS);
        byte[] line;
        try {
            line = readLine(c);
        } catch (IOException e) {
            return; // gone, or too slow
        } finally {
            timeout.cancel(false);
        }
        Reply r;
        if (line == null) {
            r = Reply.bad("request longer than " + ControlRequest.MAX_BYTES + " bytes or not ended by a newline");
        } else {
            try {
                ControlRequest req = ControlRequest.parse(line);
                r = handler.handle(req);
            } catch (ControlRequest.ProtocolException e) {
                r = Reply.bad("bad request: " + e.getMessage());
            } catch (RuntimeException e) {
                r = Reply.failed("the request failed: " + e);
            }
        }
        reply(c, r);
    }

    /** The request line, newline included; null when it is too long or the client stopped without one. */
    private static byte[] readLine(SocketChannel c) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer b = ByteBuffer.allocate(1024);
        while (out.size() <= ControlRequest.MAX_BYTES + 1) {
            b.clear();
            int n = c.read(b);
            if (n < 0) {
                return null;
            }
            for (int i = 0; i < n; i++) {
                byte x = b.get(i);
                out.write(x);
                if (x == '\n') {
                    return out.toByteArray();
                }
            }
        }
        return null;
    }

    private static void reply(SocketChannel c, Reply r) {
        String body = r.body().endsWith("\n") || r.body().isEmpty() ? r.body() : r.body() + "\n";
        byte[] bytes = (ControlRequest.PROTOCOL + " " + r.status() + "\n" + body).getBytes(StandardCharsets.UTF_8);
        try {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                c.write(b);
            }
        } catch (IOException e) {
            // the client went away
        }
    }

    private static void closeQuietly(SocketChannel c) {
        try {
            c.close();
        } catch (IOException e) {
            // closed
        }
    }

    /** Stops listening and removes the socket file. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            // closing
        }
        timer.shutdownNow();
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // a stale socket file is replaced by the next instance
        }
    }
}
