package io.github.scanout.sink.vnc.internal;

import io.github.scanout.api.support.Reporter;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The listener of one VNC sink: accepts viewers up to the configured number, each on its own
 * threads ({@link Viewer}), and runs the watchdog that drops a viewer whose write has made no
 * progress for the configured timeout.
 *
 * <p>Why hand-written: the Java RFB libraries that exist are clients (TigerVNC's Java viewer,
 * vernacular-vnc); none is a maintained server, and the server side needed here (shared dirty
 * tiles, per-viewer pacing, the limits on client input) is a few hundred lines.
 *
 * <p>Threads: the acceptor thread, one watchdog thread, two per viewer; {@link #close} from any.
 */
final class VncServer {
    private final VncOptions options;
    private final Screen screen;
    private final InputGate input;
    /** Where operator lines go (the sink's logger; tests record them). */
    private final Reporter log;
    private final String label;
    private final String password;
    /** The TCP listener, or null when listening on a Unix-domain socket. */
    private final ServerSocket listener;
    /** The Unix-domain listener, or null. */
    private final ServerSocketChannel unixListener;
    private final SSLContext tls;
    /** The WebSocket listener (ws://, or wss:// with TLS), or null. */
    private final ServerSocket webListener;
    private final Thread webAcceptor;
    private final AtomicLong unixPeers = new AtomicLong();
    /** Connections accepted: viewer ids in stats are v1, v2... in this order, never reused. */
    private final AtomicLong viewerIds = new AtomicLong();
    private final List<Viewer> viewers = new CopyOnWriteArrayList<>();
    /** What viewers that are gone did, summed (guarded by itself). */
    private final Viewer.Counters done = new Viewer.Counters();
    private long served;
    private final LoginThrottle throttle = new LoginThrottle();
    private final ScheduledExecutorService watchdog;
    private final Thread acceptor;
    private volatile boolean closed;

    /**
     * Binds the listener (so that a port in use fails the sink's start) and starts accepting.
     *
     * @throws IOException naming the address when it cannot be bound
     */
    VncServer(VncOptions options, String password, SSLContext tls, Screen screen, InputGate input, String label,
            Reporter log) throws IOException {
        this.options = options;
        this.input = input;
        this.password = password;
        this.tls = tls;
        this.screen = screen;
        this.label = label;
        this.log = log;
        if (options.unixPath() != null) {
            this.listener = null;
            this.unixListener = bindUnix(options, label);
        } else {
            ServerSocket s = new ServerSocket();
            try {
                s.bind(new InetSocketAddress(options.address(), options.port()), 16);
            } catch (IOException e) {
                s.close();
                throw new IOException("vnc sink " + label + ": cannot listen on " + options.where() + ": " + e.getMessage(), e);
            }
            this.listener = s;
            this.unixListener = null;
        }
        if (options.websocketPort() >= 0) {
            ServerSocket w = tls != null ? tls.getServerSocketFactory().createServerSocket() : new ServerSocket();
            try {
                w.bind(new InetSocketAddress(options.address(), options.websocketPort()), 16);
            } catch (IOException e) {
                w.close();
                close(listener);
                throw new IOException("vnc sink " + label + ": cannot listen for WebSocket on port "
                        + options.websocketPort() + ": " + e.getMessage(), e);
            }
            this.webListener = w;
            this.webAcceptor = new Thread(this::webAcceptLoop, "scanout-vnc-" + label + "-websocket");
            webAcceptor.setDaemon(true);
        } else {
            this.webListener = null;
            this.webAcceptor = null;
        }
        this.watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "scanout-vnc-" + label + "-watchdog");
            t.setDaemon(true);
            return t;
        });
        watchdog.scheduleWithFixedDelay(this::checkWrites, 1, 1, TimeUnit.SECONDS);
        this.acceptor = new Thread(this::acceptLoop, "scanout-vnc-" + label + "-accept");
        acceptor.setDaemon(true);
        acceptor.start();
        if (webAcceptor != null) {
            webAcceptor.start();
        }
    }

    private static void close(ServerSocket s) {
        try {
            if (s != null) {
                s.close();
            }
        } catch (IOException e) {
            // closing anyway
        }
    }

    /** The WebSocket port (the chosen one when the configuration said 0), or -1 without one. */
    int websocketPort() {
        return webListener == null ? -1 : webListener.getLocalPort();
    }

    /** Whether a browser page from this origin may open the WebSocket (websocket.origins). */
    boolean originAllowed(String origin) {
        return options.websocketOrigins().contains("*") || options.websocketOrigins().contains(origin);
    }

    private void webAcceptLoop() {
        while (!closed) {
            Socket s;
            try {
                s = webListener.accept();
            } catch (SocketException e) {
                if (!closed) {
                    log(System.Logger.Level.ERROR, "the WebSocket listener failed: " + e.getMessage() + "; no new browsers");
                }
                return;
            } catch (IOException e) {
                log(System.Logger.Level.WARNING, "accepting a WebSocket connection failed: " + e.getMessage());
                continue;
            }
            // the upgrade (and TLS) handshake runs on its own thread: a slow client holds up nobody
            Thread t = new Thread(() -> upgrade(s), "scanout-vnc-" + label + "-ws-" + Transport.Tcp.name(s));
            t.setDaemon(true);
            t.start();
        }
    }

    private void upgrade(Socket s) {
        String peer = "ws:" + Transport.Tcp.name(s);
        try {
            s.setTcpNoDelay(true);
            s.setSoTimeout(tls != null ? tlsHandshakeMillis() : Viewer.HANDSHAKE_TIMEOUT_MILLIS);
            serve(WebSocket.accept(s, tls != null, this::originAllowed, "binary"));
        } catch (IOException e) {
            log(System.Logger.Level.WARNING, "viewer " + peer + " refused: " + (e instanceof WebSocket.Refused
                    ? e.getMessage() : "websocket: " + e.getMessage()));
            close(s);
        }
    }

    private static void close(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    /**
     * Binds the Unix-domain socket, owner-only (0600). A socket file left by a process that is
     * gone (nothing answers on it) is replaced; anything else at the path is refused.
     */
    private static ServerSocketChannel bindUnix(VncOptions options, String label) throws IOException {
        var path = options.unixPath();
        String where = "vnc sink " + label + ": cannot listen on " + options.where() + ": ";
        if (Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            var attrs = Files.readAttributes(path, java.nio.file.attribute.BasicFileAttributes.class,
                    java.nio.file.LinkOption.NOFOLLOW_LINKS);
            if (!attrs.isOther()) {
                throw new IOException(where + "the path exists and is not a socket");
            }
            try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
                throw new IOException(where + "another process listens on it");
            } catch (IOException e) {
                if (e.getMessage() != null && e.getMessage().startsWith(where)) {
                    throw e;
                }
                Files.deleteIfExists(path); // a stale socket: nobody answers
            }
        }
        ServerSocketChannel c = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            c.bind(UnixDomainSocketAddress.of(path), 16);
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException | UnsupportedOperationException e) {
            c.close();
            throw new IOException(where + e.getMessage(), e);
        }
        return c;
    }

    /** The port it listens on (the chosen one when the configuration said 0), or -1 on a Unix socket. */
    int port() {
        return listener == null ? -1 : listener.getLocalPort();
    }

    /** host:port as bound, or unix:PATH, for the log. */
    String boundText() {
        if (listener == null) {
            return options.where();
        }
        String host = listener.getInetAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port();
    }

    String password() {
        return password;
    }

    /**
     * How long each read of a TLS handshake may wait: the configured {@code timeout} (30 s by
     * default), as the public-key work of a handshake takes seconds on a loaded host; a plain
     * handshake gets {@value Viewer#HANDSHAKE_TIMEOUT_MILLIS} ms.
     */
    int tlsHandshakeMillis() {
        return Math.multiplyExact(options.timeoutSeconds(), 1000);
    }

    /** The TLS context for VeNCrypt, or null without {@code tls.cert}. */
    SSLContext tls() {
        return tls;
    }

    LoginThrottle throttle() {
        return throttle;
    }

    String desktopName() {
        return "Scanout " + options.device();
    }

    /** Where viewers' input goes (null target: dropped). */
    InputGate input() {
        return input;
    }

    void log(System.Logger.Level level, String message) {
        log.report(level, "vnc sink " + label + " (" + boundText() + "): " + message);
    }

    List<Viewer> viewers() {
        return List.copyOf(viewers);
    }

    private void acceptLoop() {
        while (!closed) {
            Transport t;
            try {
                if (unixListener != null) {
                    SocketChannel c = unixListener.accept();
                    t = Transport.unix(c, options.where() + "#" + unixPeers.incrementAndGet());
                } else {
                    Socket s = listener.accept();
                    try {
                        t = Transport.tcp(s);
                    } catch (IOException e) {
                        s.close();
                        throw e;
                    }
                }
            } catch (SocketException | ClosedChannelException e) {
                if (!closed) {
                    log(System.Logger.Level.ERROR, "the listener failed: " + e.getMessage() + "; no new viewers");
                }
                return;
            } catch (IOException e) {
                log(System.Logger.Level.WARNING, "accepting a viewer failed: " + e.getMessage());
                continue;
            }
            serve(t);
        }
    }

    /** Serves a new connection from any listener (this one's, or a WebSocket's), within max.viewers. */
    void serve(Transport t) {
        if (closed) {
            t.close();
            return;
        }
        if (viewers.size() >= options.maxViewers()) {
            log(System.Logger.Level.WARNING, "viewer " + t.peer() + " refused: " + options.maxViewers()
                    + " viewers are connected (max.viewers)");
            t.close();
            return;
        }
        Viewer v = new Viewer(t, this, screen, "v" + viewerIds.incrementAndGet());
        viewers.add(v);
        Thread thread = new Thread(v, "scanout-vnc-" + label + "-" + v.peer() + "-in");
        thread.setDaemon(true);
        thread.start();
    }

    private void checkWrites() {
        long now = System.nanoTime();
        for (Viewer v : viewers) {
            long since = v.writingSince();
            if (since != 0 && now - since > options.timeoutSeconds() * 1_000_000_000L) {
                v.abort("it read nothing for " + options.timeoutSeconds() + " s (timeout)");
            } else if (v.handshakeOverdue(now)) {
                v.abort("no answer within " + Viewer.HANDSHAKE_TIMEOUT_MILLIS / 1000 + " s during the handshake");
            }
        }
    }

    void removed(Viewer v) {
        if (viewers.remove(v)) {
            synchronized (done) {
                done.add(v.counters());
                served++;
            }
        }
    }

    /**
     * The counters of every viewer this listener served, ended and connected ones together:
     * bytes, updates, rectangles per encoding, frames coalesced (see {@link Viewer.Counters}).
     */
    Viewer.Counters totals() {
        Viewer.Counters t = new Viewer.Counters();
        synchronized (done) {
            t.add(done);
        }
        for (Viewer v : viewers) {
            t.add(v.counters());
        }
        return t;
    }

    /** Viewers served and gone. */
    long served() {
        synchronized (done) {
            return served;
        }
    }

    /** Stops listening and closes every viewer. Idempotent. */
    void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (listener != null) {
                listener.close();
            }
            close(webListener);
            if (unixListener != null) {
                unixListener.close();
                Files.deleteIfExists(options.unixPath());
            }
        } catch (IOException e) {
            // closing anyway
        }
        for (Viewer v : viewers) {
            v.abort("the sink is stopping");
        }
        watchdog.shutdownNow();
        try {
            acceptor.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
