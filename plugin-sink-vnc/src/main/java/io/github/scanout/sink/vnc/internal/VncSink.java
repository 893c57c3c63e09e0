package io.github.scanout.sink.vnc.internal;

import io.github.scanout.api.Damage;
import io.github.scanout.api.PlaneInfo;
import io.github.scanout.api.buffer.PlaneBuffer;
import io.github.scanout.api.pixels.PixelConverter;
import io.github.scanout.api.sink.CursorState;
import io.github.scanout.api.sink.Frame;
import io.github.scanout.api.sink.SinkClient;
import io.github.scanout.api.sink.SinkNeeds;
import io.github.scanout.api.sink.SinkOutput;
import io.github.scanout.api.support.Reporter;
import io.github.scanout.api.support.TlsFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLContext;

/**
 * A VNC server for one device: frames become the {@link Screen} every viewer of this sink sees.
 *
 * <p>Threads: {@link #frame}, {@link #cursor}, {@link #noSignal} on the sink's delivery thread;
 * the server's threads read the screen; {@link #close} from any thread.
 */
final class VncSink {
    private final VncOptions options;
    private final Screen screen = new Screen(640, 480);
    private final VncServer server;
    private final InputGate input;
    private final Reporter log;
    private final String label;
    private int[] next = new int[0];
    /** The picture last handed to the screen (the screen's own now), and its frame number. */
    private int[] shown = new int[0];
    private long shownSequence = -1;
    /** Frames put on the screen: what this sink "wrote" (offered to viewers, connected or not). */
    private final java.util.concurrent.atomic.AtomicLong frames = new java.util.concurrent.atomic.AtomicLong();
    private volatile String lastProblemSeen = "";
    private String lastProblem;
    private PlaneInfo.BufferKey cursorKey;

    /**
     * Reads the password file and starts listening.
     *
     * @throws IllegalArgumentException for a password file that cannot be used
     * @throws IOException when the address cannot be bound
     */
    VncSink(VncOptions options, String label, Reporter log) throws IOException {
        this.options = options;
        this.label = label;
        this.log = log;
        String password = options.passwordFile() == null ? null : readPassword(options, label, log);
        SSLContext tls = options.tlsCert() == null ? null : TlsFiles.context(options.tlsCert(), options.tlsKey(),
                VncOptions.TLS_CERT, VncOptions.TLS_KEY, "vnc sink configuration");
        this.input = new InputGate(options.input(), label, options.device(), log);
        this.server = new VncServer(options, password, tls, screen, input, label, log);
        // a port the system picked is said at WARNING, the launcher's default level: it is the only place it shows
        boolean picked = options.unixPath() == null && options.port() == 0;
        String security = tls != null ? (password == null ? "VeNCrypt X509None: TLS, no password" : "VeNCrypt X509Vnc: TLS and VNC authentication")
                : password == null ? "no password" : "VNC authentication";
        String reach = options.unixPath() != null ? ", Unix socket, owner only"
                : options.address().isLoopbackAddress() ? ", loopback only"
                : tls != null && password != null ? ", network" : ", NOT loopback: insecure=true";
        log.report(picked ? System.Logger.Level.WARNING : System.Logger.Level.INFO, "vnc sink " + label + " for "
                + options.device() + " listening on " + server.boundText() + " (" + security + reach + ")"
                + (server.websocketPort() < 0 ? "" : ", WebSocket on " + websocketUrl())
                + (options.input() ? "; input=true: viewers' keys and pointer go to the device" : ""));
    }

    static String readPassword(VncOptions o, String label, Reporter log) {
        String where = "vnc sink configuration: password.file=" + o.passwordFile();
        byte[] bytes;
        try {
            if (Files.size(o.passwordFile()) > 4096) {
                throw new IllegalArgumentException(where + " is over 4096 bytes; it should hold one line, the password");
            }
            bytes = Files.readAllBytes(o.passwordFile());
        } catch (IOException e) {
            throw new IllegalArgumentException(where + " cannot be read (" + e.getClass().getSimpleName() + ": "
                    + e.getMessage() + ")");
        }
        String text = new String(bytes, StandardCharsets.UTF_8);
        int nl = text.indexOf('\n');
        String password = (nl < 0 ? text : text.substring(0, nl));
        if (password.endsWith("\r")) {
            password = password.substring(0, password.length() - 1);
        }
        if (password.isEmpty()) {
            throw new IllegalArgumentException(where + " is empty; its first line is the password");
        }
        if (password.getBytes(StandardCharsets.UTF_8).length > VncAuth.MAX_PASSWORD_BYTES) {
            log.report(System.Logger.Level.WARNING, "vnc sink " + label + ": the password in " + o.passwordFile()
                    + " is longer than 8 bytes; VNC authentication uses only its first 8");
        }
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(o.passwordFile());
            if (perms.contains(PosixFilePermission.GROUP_READ) || perms.contains(PosixFilePermission.OTHERS_READ)) {
                log.report(System.Logger.Level.WARNING, "vnc sink " + label + ": " + o.passwordFile()
                        + " can be read by other users; chmod 600 it");
            }
        } catch (IOException | UnsupportedOperationException e) {
            // permissions unknown: nothing to warn about
        }
        return password;
    }

    /**
     * Low latency matters to a remote screen; CPU pixels, read live: {@link #frame} converts them
     * into the screen's own copy before it returns, so the pipeline need not copy the frame into
     * a snapshot first (8 MB at 1080p on every frame). A guest writing while they are read shows
     * for at most one frame: its write changes what the next poll sees, and that frame is read
     * again.
     */
    SinkNeeds needs() {
        // a person watches: the pipeline must not back off to the idle poll while a viewer may look
        return new SinkNeeds(true, false, java.util.Set.of(), 0, true);
    }

    void frame(Frame frame) {
        PlaneBuffer b = frame.primary();
        PlaneInfo info = b.info();
        if (!b.cpuReadable() || !info.modifier().isLinear() || !PixelConverter.isSupported(info.format())) {
            problem("frames of " + info + " (" + b.memory() + ") cannot be read as linear CPU pixels; viewers "
                    + "see the last picture");
            return;
        }
        int n = Math.multiplyExact(info.width(), info.height());
        if (next.length != n) {
            next = new int[n];
        }
        ByteBuffer src = b.pixels();
        // the device said what changed since the frame before, and this sink showed that frame: only
        // the damaged rows are converted and only the damaged tiles compared (QEMU's D-Bus display)
        Damage damage = frame.damage();
        boolean trusted = damage.known() && frame.sequence() == shownSequence + 1 && shown.length == n
                && info.width() == screen.width() && info.height() == screen.height();
        if (trusted) {
            System.arraycopy(shown, 0, next, 0, n);
            for (int i = 0; i < damage.count(); i++) {
                int last = Math.min(info.height(), damage.y(i) + damage.height(i));
                for (int row = damage.y(i); row < last; row++) {
                    PixelConverter.convertRow(info, src, row, next, row * info.width());
                }
            }
        } else {
            damage = Damage.UNKNOWN;
            for (int row = 0; row < info.height(); row++) {
                PixelConverter.convertRow(info, src, row, next, row * info.width());
            }
        }
        int[] old = screen.frame(info.width(), info.height(), next, damage);
        shown = next;
        shownSequence = frame.sequence();
        frames.incrementAndGet();
        next = old.length == n ? old : new int[n];
        lastProblem = null;
        lastProblemSeen = "";
        cursor(frame.cursor());
    }

    void cursor(CursorState c) {
        if (!c.visible()) {
            screen.cursor(false, null, 0, 0, c.x(), c.y(), 0, 0);
            return;
        }
        PlaneBuffer img = c.image().orElseThrow();
        PlaneInfo info = img.info();
        int hx = c.hotspot().map(h -> h.x()).orElse(0);
        int hy = c.hotspot().map(h -> h.y()).orElse(0);
        if (!img.cpuReadable() || !info.modifier().isLinear() || !PixelConverter.isSupported(info.format())) {
            problem("the cursor image " + info + " cannot be read as linear CPU pixels; the cursor is left out");
            cursorKey = null;
            screen.cursor(false, null, 0, 0, c.x(), c.y(), 0, 0);
            return;
        }
        if (!c.imageChanged() && cursorKey != null && cursorKey.equals(info.key())) {
            screen.cursor(true, null, 0, 0, c.x(), c.y(),
                    Math.max(0, Math.min(info.width() - 1, hx)), Math.max(0, Math.min(info.height() - 1, hy)));
            return;
        }
        cursorKey = info.key();
        int[] argb = new int[info.width() * info.height()];
        ByteBuffer src = img.pixels();
        for (int row = 0; row < info.height(); row++) {
            PixelConverter.convertRow(info, src, row, argb, row * info.width());
        }
        screen.cursor(true, argb, info.width(), info.height(), c.x(), c.y(),
                Math.max(0, Math.min(info.width() - 1, hx)), Math.max(0, Math.min(info.height() - 1, hy)));
    }

    /** The device's input target, handed over when the sink is attached (used only with input=true). */
    void inputTarget(java.util.Optional<io.github.scanout.api.input.InputTarget> target) {
        input.target(target);
    }

    /** The sink was detached from its device: viewers' input goes nowhere until it is attached again. */
    void detached() {
        input.forget();
    }

    void noSignal(String reason) {
        problem("no signal (" + reason + "); viewers see the last picture");
    }

    private void problem(String message) {
        if (!message.equals(lastProblem)) {
            lastProblem = message;
            lastProblemSeen = message;
            log.report(System.Logger.Level.WARNING, "vnc sink " + label + ": " + message);
        }
    }

    int port() {
        return server.port();
    }

    int websocketPort() {
        return server.websocketPort();
    }

    /** The WebSocket listener's URL, {@code ws://HOST:PORT/} ({@code wss://} with TLS); null without one. */
    String websocketUrl() {
        if (server.websocketPort() < 0) {
            return null;
        }
        return (options.tlsCert() != null ? "wss" : "ws") + "://" + server.boundText().replaceFirst(":\\d+$", "") + ":"
                + server.websocketPort() + "/";
    }

    /** The WebSocket listener's address; null without one. */
    java.net.InetSocketAddress websocketAddress() {
        return server.websocketPort() < 0 ? null : new java.net.InetSocketAddress(options.address(),
                server.websocketPort());
    }

    VncOptions options() {
        return options;
    }

    List<Viewer> viewers() {
        return server.viewers();
    }

    Screen screen() {
        return screen;
    }

    /**
     * What this sink did, for the pipeline's stats: frames put on the screen, bytes sent to all
     * viewers (gone ones included), the last problem with a frame, and the viewers connected now
     * with their own counters (a viewer that left is no longer listed; its bytes stay in the total).
     */
    SinkOutput output() {
        List<SinkClient> clients = new ArrayList<>();
        for (Viewer v : server.viewers()) {
            SinkClient c = v.client();
            if (c != null) {
                clients.add(c);
            }
        }
        return new SinkOutput(frames.get(), server.totals().bytes, lastProblemSeen, clients);
    }

    /** Every viewer's counters summed, connected and gone. */
    Viewer.Counters totals() {
        return server.totals();
    }

    void close() {
        screen.close();
        server.close();
        log.report(System.Logger.Level.INFO, "vnc sink " + label + " stopped: " + frames.get() + " frames, "
                + server.served() + " viewers served; " + server.totals());
    }
}
