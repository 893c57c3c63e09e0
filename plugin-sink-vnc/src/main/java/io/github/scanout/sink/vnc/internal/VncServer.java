package io.github.scanout.sink.vnc.internal;

import io.github.scanout.api.support.Reporter;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
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
    /** Where operator lines go (the sink's logger; tests record them). */
    private final Reporter log;
    private final String label;
    private final String password;
    private final ServerSocket listener;
    private final List<Viewer> viewers = new CopyOnWriteArrayList<>();
    private final LoginThrottle throttle = new LoginThrottle();
    private final ScheduledExecutorService watchdog;
    private final Thread acceptor;
    private volatile boolean closed;

    /**
     * Binds the listener (so that a port in use fails the sink's start) and starts accepting.
     *
     * @throws IOException naming the address when it cannot be bound
     */
    VncServer(VncOptions options, String password, Screen screen, String label, Reporter log) throws IOException {
        this.options = options;
        this.password = password;
        this.screen = screen;
        this.label = label;
        this.log = log;
        ServerSocket s = new ServerSocket();
        try {
            s.bind(new InetSocketAddress(options.address(), options.port()), 16);
        } catch (IOException e) {
            s.close();
            throw new IOException("vnc sink " + label + ": cannot listen on " + options.listenText() + ": " + e.getMessage(), e);
        }
        this.listener = s;
        this.watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "scanout-vnc-" + label + "-watchdog");
            t.setDaemon(true);
            return t;
        });
        watchdog.scheduleWithFixedDelay(this::checkWrites, 1, 1, TimeUnit.SECONDS);
        this.acceptor = new Thread(this::acceptLoop, "scanout-vnc-" + label + "-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** The port it listens on (the chosen one when the configuration said 0). */
    int port() {
        return listener.getLocalPort();
    }

    /** host:port as bound, for the log. */
    String boundText() {
        String host = listener.getInetAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port();
    }

    String password() {
        return password;
    }

    LoginThrottle throttle() {
        return throttle;
    }

    String desktopName() {
        return "Scanout " + options.device();
    }

    void log(System.Logger.Level level, String message) {
        log.report(level, "vnc sink " + label + " (" + boundText() + "): " + message);
    }

    List<Viewer> viewers() {
        return List.copyOf(viewers);
    }

    private void acceptLoop() {
        while (!closed) {
            Socket s;
            try {
                s = listener.accept();
            } catch (SocketException e) {
                if (!closed) {
                    log(System.Logger.Level.ERROR, "the listener failed: " + e.getMessage() + "; no new viewers");
                }
                return;
            } catch (IOException e) {
                log(System.Logger.Level.WARNING, "accepting a viewer failed: " + e.getMessage());
                continue;
            }
            if (viewers.size() >= options.maxViewers()) {
                log(System.Logger.Level.WARNING, "viewer " + Viewer.peerName(s) + " refused: " + options.maxViewers()
                        + " viewers are connected (max.viewers)");
                try {
                    s.close();
                } catch (IOException e) {
                    // refused anyway
                }
                continue;
            }
            Viewer v = new Viewer(s, this, screen);
            viewers.add(v);
            Thread t = new Thread(v, "scanout-vnc-" + label + "-" + v.peer() + "-in");
            t.setDaemon(true);
            t.start();
        }
    }

    private void checkWrites() {
        long now = System.nanoTime();
        for (Viewer v : viewers) {
            long since = v.writingSince();
            if (since != 0 && now - since > options.timeoutSeconds() * 1_000_000_000L) {
                v.abort("it read nothing for " + options.timeoutSeconds() + " s (timeout)");
            }
        }
    }

    void removed(Viewer v) {
        viewers.remove(v);
    }

    /** Stops listening and closes every viewer. Idempotent. */
    void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            listener.close();
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
