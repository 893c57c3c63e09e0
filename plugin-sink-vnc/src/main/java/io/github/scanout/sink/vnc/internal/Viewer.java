package io.github.scanout.sink.vnc.internal;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.zip.Deflater;

/**
 * One RFB connection over a {@link Transport} (TCP, Unix socket, WebSocket): the handshake
 * (RFB 3.3, 3.7 and 3.8; security None, VNC authentication, or VeNCrypt X509None/X509Vnc
 * turning a TCP transport into TLS), then a reader thread taking the client's messages and a writer thread
 * sending updates when the client asked for one and the screen has news for it.
 *
 * <p>Input: key and pointer events are read and checked; with the sink's {@code input=true} and a
 * device that takes input ({@link InputGate}) they go to the device's
 * {@link io.github.scanout.api.input.InputTarget}, else they are dropped (view-only, the default;
 * a mediated vGPU's VFIO display has no input path). A pointer outside the framebuffer (RFB's
 * positions are u16; a viewer that has not caught up with a smaller mode) is clamped to its last
 * column and row and counted. Keys and buttons this viewer holds down when it goes are released,
 * so that a viewer that drops does not leave a key pressed in the guest.
 *
 * <p>Pacing: the writer sends at most one update per request, holding everything that changed
 * since the last one, so a slow client gets fewer, coalesced updates; nothing queues. A write
 * that makes no progress for the configured timeout (a client that stopped reading) is ended by
 * {@link VncServer}'s watchdog, which closes the socket.
 *
 * <p>Threads: the reader thread runs {@link #run()}; it starts the writer thread after the
 * handshake. {@link #close} may be called from any thread.
 */
final class Viewer implements Runnable {
    static final int HANDSHAKE_TIMEOUT_MILLIS = 10_000;
    private static final Pattern VERSION = Pattern.compile("RFB (\\d{3})\\.(\\d{3})\n");
    private static final int CHUNK = 64 * 1024;
    private static final SecureRandom RANDOM = new SecureRandom();
    static final int NONE = 1;
    static final int VNC_AUTH = 2;
    static final int VENCRYPT = 19;
    static final int X509_NONE = 260;
    static final int X509_VNC = 261;

    private final Transport transport;
    private DataInputStream in;
    private final VncServer server;
    private final Screen screen;
    private final String peer;
    /** This viewer's short id in stats ({@code v1}, {@code v2}...: the sink's count of connections). */
    private final String id;
    private final java.time.Instant since = java.time.Instant.now();
    private final ViewerState state = new ViewerState();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Deflater zlib = new Deflater(Deflater.DEFAULT_COMPRESSION);
    /** Tight's zlib streams 0 to 3 of this connection (this server uses 0 to 2). */
    private final Deflater[] tightZlib = {new Deflater(Deflater.DEFAULT_COMPRESSION),
        new Deflater(Deflater.DEFAULT_COMPRESSION), new Deflater(Deflater.DEFAULT_COMPRESSION),
        new Deflater(Deflater.DEFAULT_COMPRESSION)};
    private volatile String closeReason;
    private volatile long writingSince;
    private volatile boolean connected;
    private volatile long throttledNanos;
    private volatile boolean tlsStarted;
    private final long startNanos = System.nanoTime();

    final AtomicLong bytesSent = new AtomicLong();
    final AtomicLong updates = new AtomicLong();
    final AtomicLong rawRects = new AtomicLong();
    final AtomicLong zrleRects = new AtomicLong();
    final AtomicLong tightFillRects = new AtomicLong();
    final AtomicLong tightZlibRects = new AtomicLong();
    final AtomicLong tightJpegRects = new AtomicLong();
    final AtomicLong copyRects = new AtomicLong();
    final AtomicLong inputDropped = new AtomicLong();
    final AtomicLong inputForwarded = new AtomicLong();
    final AtomicLong inputClamped = new AtomicLong();
    /** Keys this viewer pressed on the device and has not released yet, the buttons it holds, where its pointer is. */
    private final java.util.Set<Integer> keysDown = new java.util.LinkedHashSet<>();
    private int buttonsDown;
    private int pointerX;
    private int pointerY;
    private io.github.scanout.api.input.InputTarget pressedOn;
    private OutputStream out;

    Viewer(Transport transport, VncServer server, Screen screen, String id) {
        this.id = id;
        this.transport = transport;
        this.server = server;
        this.screen = screen;
        this.peer = transport.peer();
    }

    static String peerName(Socket s) {
        return Transport.Tcp.name(s);
    }

    /** Whether the handshake of a transport without read timeouts (Unix socket) has run past its time (the watchdog asks). */
    boolean handshakeOverdue(long now) {
        return !transport.hasReadTimeout() && !connected && !closed.get() && now - startNanos > HANDSHAKE_TIMEOUT_MILLIS * 1_000_000L + throttledNanos;
    }

    String peer() {
        return peer;
    }

    @Override
    public void run() {
        try {
            transport.readTimeout(HANDSHAKE_TIMEOUT_MILLIS);
            out = transport.out();
            in = new DataInputStream(new BufferedInputStream(transport.in()));
            String how = handshake();
            transport.readTimeout(0);
            connected = true;
            server.log(System.Logger.Level.INFO, "viewer " + peer + " connected (" + how + ")");
            Thread writer = new Thread(this::writeLoop, Thread.currentThread().getName().replace("-in", "-out"));
            writer.setDaemon(true);
            writer.start();
            ClientMessages messages = new ClientMessages(in, new Handler());
            while (!closed.get()) {
                messages.readOne();
            }
        } catch (EOFException e) {
            close("closed by the viewer");
        } catch (SocketTimeoutException e) {
            close("no answer within " + HANDSHAKE_TIMEOUT_MILLIS / 1000 + " s during the handshake"
                    + (transport.encrypted() || tlsStarted ? " (" + server.tlsHandshakeMillis() / 1000 + " s for TLS: the timeout)"
                            : ""));
        } catch (ProtocolException e) {
            close("protocol error: " + e.getMessage());
        } catch (IOException e) {
            close(closed.get() ? null : "connection error: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close("the sink is stopping");
        } catch (RuntimeException e) {
            close("internal error: " + e);
        }
    }

    /** Version, security, init; returns "RFB 3.8, VNC authentication" for the log. */
    private String handshake() throws IOException, ProtocolException, InterruptedException {
        write("RFB 003.008\n".getBytes(StandardCharsets.US_ASCII));
        byte[] v = new byte[12];
        in.readFully(v);
        Matcher m = VERSION.matcher(new String(v, StandardCharsets.ISO_8859_1));
        if (!m.matches() || !m.group(1).equals("003")) {
            throw new ProtocolException("not an RFB 3.x client (it sent " + printable(v) + ")");
        }
        int minor = Integer.parseInt(m.group(2));
        minor = minor >= 8 ? 8 : minor == 7 ? 7 : 3; // 3.4-3.6 (and 3.5 of old clients) are 3.3
        String password = server.password();
        boolean tls = server.tls() != null && transport.canStartTls();
        int type = tls ? VENCRYPT : password != null ? VNC_AUTH : NONE;
        if (minor >= 7) {
            write(new byte[] {1, (byte) type});
            int chosen = in.readUnsignedByte();
            if (chosen != type) {
                if (minor == 8) {
                    writeFailure("security type " + chosen + " is not offered; this server offers " + type);
                }
                throw new ProtocolException("the viewer chose security type " + chosen + ", not the offered " + type
                        + (type == VENCRYPT ? " (VeNCrypt: this listener takes TLS only)" : ""));
            }
        } else if (tls) {
            writeFailure3("this server takes TLS (VeNCrypt) only, which needs RFB 3.7 or later");
            throw new ProtocolException("an RFB 3.3 viewer cannot use VeNCrypt, and this listener takes TLS only");
        } else {
            write(u32(type));
        }
        String how = type == VNC_AUTH ? "VNC authentication" : "no authentication";
        boolean vncAuth = type == VNC_AUTH;
        if (type == VENCRYPT) {
            int sub = password != null ? X509_VNC : X509_NONE;
            write(new byte[] {0, 2});
            int major = in.readUnsignedByte();
            int minorV = in.readUnsignedByte();
            if (major != 0 || minorV != 2) {
                write(new byte[] {1});
                throw new ProtocolException("VeNCrypt version " + major + "." + minorV + " (0.2 is spoken)");
            }
            write(new byte[] {0, 1});
            write(u32(sub));
            int chosen = in.readInt();
            if (chosen != sub) {
                write(new byte[] {0});
                throw new ProtocolException("the viewer chose VeNCrypt subtype " + chosen + ", not the offered " + sub
                        + (sub == X509_VNC ? " (X509Vnc)" : " (X509None)"));
            }
            write(new byte[] {1});
            tlsStarted = true;
            byte[] consumed = new byte[in.available()];
            in.readFully(consumed);
            try {
                // a TLS handshake is several round trips of public-key work: on a loaded host it
                // takes seconds (and the viewer may still be checking the certificate when the
                // server is done), so each read from here to the end of the handshake gets the
                // longer TLS limit (the configured timeout)
                transport.readTimeout(server.tlsHandshakeMillis());
                transport.startTls(server.tls(), consumed);
            } catch (javax.net.ssl.SSLException e) {
                throw new ProtocolException("TLS handshake failed: " + e.getMessage());
            }
            out = transport.out();
            in = new DataInputStream(new BufferedInputStream(transport.in()));
            vncAuth = sub == X509_VNC;
            how = "VeNCrypt " + (sub == X509_VNC ? "X509Vnc, TLS, VNC authentication" : "X509None, TLS, no authentication");
        }
        if (vncAuth) {
            byte[] challenge = new byte[16];
            RANDOM.nextBytes(challenge);
            write(challenge);
            byte[] answer = new byte[16];
            in.readFully(answer);
            var address = transport.address();
            long delay = server.throttle().delayMillis(address);
            if (delay > 0) {
                throttledNanos += delay * 1_000_000L; // the failed-login delay is not the viewer's slowness
                Thread.sleep(delay);
            }
            if (!VncAuth.check(password, challenge, answer)) {
                int n = server.throttle().failed(address, System.currentTimeMillis());
                writeFailure("authentication failed");
                throw new ProtocolException("wrong password (failure " + n + " from "
                        + (address == null ? "the Unix socket" : address.getHostAddress())
                        + "; its next answer waits " + server.throttle().delayMillis(address) / 1000 + " s)");
            }
            server.throttle().succeeded(address);
            write(u32(0));
        } else if (minor == 8 || type == VENCRYPT) {
            write(u32(0));
        }
        in.readUnsignedByte(); // ClientInit's shared flag: every viewer shares the screen
        int[] size = screen.join(state);
        byte[] name = server.desktopName().getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream init = new ByteArrayOutputStream();
        init.write(size[0] >>> 8);
        init.write(size[0]);
        init.write(size[1] >>> 8);
        init.write(size[1]);
        init.write(PixelFormat.DEFAULT.bytes());
        init.write(u32(name.length));
        init.write(name);
        write(init.toByteArray());
        return "RFB 3." + minor + ", " + how;
    }

    /** RFB 3.3's refusal: security type 0, then the reason. */
    private void writeFailure3(String reason) throws IOException {
        byte[] r = reason.getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(u32(0));
        b.write(u32(r.length));
        b.write(r);
        write(b.toByteArray());
    }

    private void writeFailure(String reason) throws IOException {
        byte[] r = reason.getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(u32(1));
        b.write(u32(r.length));
        b.write(r);
        write(b.toByteArray());
    }

    private static String printable(byte[] b) {
        StringBuilder s = new StringBuilder("'");
        for (byte x : b) {
            int c = x & 0xff;
            s.append(c >= 0x20 && c < 0x7f ? String.valueOf((char) c) : String.format("\\x%02x", c));
        }
        return s.append('\'').toString();
    }

    private void writeLoop() {
        try {
            while (!closed.get()) {
                Screen.Update u = screen.next(state, 1000);
                if (u == null) {
                    continue;
                }
                if (u.resizeUnsupported()) {
                    close("the viewer cannot follow a mode change (it supports neither DesktopSize nor "
                            + "ExtendedDesktopSize); reconnect to see the new mode " + screen.width() + "x" + screen.height());
                    return;
                }
                write(encode(u));
                updates.incrementAndGet();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close("the sink is stopping");
        } catch (IOException e) {
            close(closed.get() ? null : "connection error: " + e.getMessage());
        } catch (RuntimeException e) {
            close("internal error: " + e);
        }
    }

    private byte[] encode(Screen.Update u) throws IOException {
        PixelFormat f;
        boolean lastRect;
        synchronized (screen) {
            f = state.format;
            lastRect = state.lastRect;
        }
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int rects = 0;
        if (u.size() != null) {
            int w = u.size()[0];
            int h = u.size()[1];
            if (u.extendedReason() >= 0) {
                int status = u.extendedReason() == 1 ? 1 : 0;
                header(b, u.extendedReason(), status, w, h, ViewerState.EXTENDED_DESKTOP_SIZE);
                b.write(new byte[] {1, 0, 0, 0});
                b.write(u32(0)); // screen id
                b.write(new byte[] {0, 0, 0, 0, (byte) (w >>> 8), (byte) w, (byte) (h >>> 8), (byte) h});
                b.write(u32(0)); // flags
            } else {
                header(b, 0, 0, w, h, ViewerState.DESKTOP_SIZE);
            }
            rects++;
        }
        if (u.shape() != null) {
            Screen.CursorShape c = u.shape();
            header(b, c.hotX(), c.hotY(), c.width(), c.height(), ViewerState.CURSOR);
            b.write(Encoders.raw(c.argb().length == c.width() * c.height() ? c.argb()
                    : java.util.Arrays.copyOf(c.argb(), c.width() * c.height()), f));
            int rowBytes = (c.width() + 7) / 8;
            byte[] mask = new byte[rowBytes * c.height()];
            for (int y = 0; y < c.height(); y++) {
                for (int x = 0; x < c.width(); x++) {
                    if ((c.argb()[y * c.width() + x] >>> 24) >= 128) {
                        mask[y * rowBytes + x / 8] |= (byte) (0x80 >>> (x % 8));
                    }
                }
            }
            b.write(mask);
            rects++;
        }
        if (u.pointer() != null) {
            header(b, u.pointer()[0], u.pointer()[1], 0, 0, ViewerState.POINTER_POS);
            rects++;
        }
        if (u.copy() != null) {
            int[] c = u.copy();
            header(b, c[0], c[1], c[2], c[3], ViewerState.COPY_RECT);
            b.write(new byte[] {(byte) (c[4] >>> 8), (byte) c[4], (byte) (c[5] >>> 8), (byte) c[5]});
            rects++;
            copyRects.incrementAndGet();
        }
        List<Screen.Tile> tiles = u.tiles();
        byte[][] encoded = new byte[tiles.size()][];
        if (tiles.size() > 1 && tiles.get(0).key().encoding() != ViewerState.RAW) {
            // ZRLE and Tight/JPEG cost milliseconds per rectangle: an update's rectangles are
            // encoded on all cores (the common pool and this thread), then written in order
            IntStream.range(0, tiles.size()).parallel().forEach(i -> encoded[i] = encoded(tiles.get(i)));
        }
        for (int i = 0; i < tiles.size(); i++) {
            Screen.Tile t = tiles.get(i);
            Screen.Rect r = t.rect();
            int encoding = t.key().encoding();
            byte[] data = encoded[i] != null ? encoded[i] : encoded(t);
            if (encoding == ViewerState.TIGHT) {
                rects += writeTight(b, r, data);
                continue;
            }
            header(b, r.x(), r.y(), r.width(), r.height(), encoding);
            rects++;
            if (encoding == ViewerState.ZRLE) {
                byte[] z = deflate(zlib, data);
                b.write(u32(z.length));
                b.write(z);
                zrleRects.incrementAndGet();
            } else {
                b.write(data);
                rawRects.incrementAndGet();
            }
        }
        if (rects > 0xffff && !lastRect) {
            throw new IllegalStateException(rects + " rectangles in one update, and the viewer has no LastRect");
        }
        boolean useLast = rects > 0xffff || (lastRect && rects > 0xfffe);
        ByteArrayOutputStream msg = new ByteArrayOutputStream(b.size() + 16);
        int count = useLast ? 0xffff : rects;
        msg.write(new byte[] {0, 0, (byte) (count >>> 8), (byte) count});
        b.writeTo(msg);
        if (useLast) {
            header(msg, 0, 0, 0, 0, ViewerState.LAST_RECT);
        }
        return msg.toByteArray();
    }

    /** The encoded form of a rectangle: the screen's cached one, else encoded now and cached. Any thread. */
    private byte[] encoded(Screen.Tile t) {
        byte[] data = screen.cached(t.key());
        if (data == null) {
            Screen.Rect r = t.rect();
            data = switch (t.key().encoding()) {
                case ViewerState.ZRLE -> Encoders.zrle(t.argb(), r.width(), r.height(), t.key().format());
                case ViewerState.TIGHT -> Encoders.tight(t.argb(), r.width(), r.height(), t.key().format(),
                        t.key().quality());
                default -> Encoders.raw(t.argb(), t.key().format());
            };
            screen.cache(t.key(), data);
        }
        return data;
    }

    /** Writes a Tight plan ({@link Encoders#tight}) through this connection's zlib streams; returns its rectangles. */
    private int writeTight(ByteArrayOutputStream b, Screen.Rect r, byte[] plan) throws IOException {
        java.nio.ByteBuffer p = java.nio.ByteBuffer.wrap(plan);
        int n = 0;
        while (p.hasRemaining()) {
            int x = p.getShort() & 0xffff;
            int y = p.getShort() & 0xffff;
            int w = p.getShort() & 0xffff;
            int h = p.getShort() & 0xffff;
            int kind = p.get();
            header(b, r.x() + x, r.y() + y, w, h, ViewerState.TIGHT);
            if (kind == Encoders.PART_LITERAL) {
                byte[] bytes = new byte[p.getInt()];
                p.get(bytes);
                b.write(bytes);
                if ((bytes[0] & 0xff) == 0x90) {
                    tightJpegRects.incrementAndGet();
                } else {
                    tightFillRects.incrementAndGet();
                }
            } else {
                int stream = p.get();
                byte[] head = new byte[p.getInt()];
                p.get(head);
                byte[] data = new byte[p.getInt()];
                p.get(data);
                b.write(head);
                if (data.length < Encoders.TIGHT_MIN_TO_COMPRESS) {
                    b.write(data);
                } else {
                    byte[] z = deflate(tightZlib[stream], data);
                    Encoders.compactLength(b, z.length);
                    b.write(z);
                }
                tightZlibRects.incrementAndGet();
            }
            n++;
        }
        return n;
    }

    private static byte[] deflate(Deflater zlib, byte[] data) {
        zlib.setInput(data);
        ByteArrayOutputStream z = new ByteArrayOutputStream(data.length / 4 + 64);
        byte[] buf = new byte[CHUNK];
        int n;
        do {
            n = zlib.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH);
            z.write(buf, 0, n);
        } while (n == buf.length || !zlib.needsInput());
        return z.toByteArray();
    }

    private static void header(ByteArrayOutputStream b, int x, int y, int w, int h, int encoding) throws IOException {
        b.write(new byte[] {(byte) (x >>> 8), (byte) x, (byte) (y >>> 8), (byte) y, (byte) (w >>> 8), (byte) w,
            (byte) (h >>> 8), (byte) h});
        b.write(u32(encoding));
    }

    static byte[] u32(int v) {
        return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }

    /** Writes in chunks, telling the watchdog when each began. */
    private void write(byte[] data) throws IOException {
        for (int o = 0; o < data.length; o += CHUNK) {
            writingSince = System.nanoTime();
            out.write(data, o, Math.min(CHUNK, data.length - o));
        }
        writingSince = 0;
        bytesSent.addAndGet(data.length);
    }

    /** When the write in progress began ({@link System#nanoTime()}), or 0 when none is. */
    long writingSince() {
        return writingSince;
    }

    /** A viewer's counters, or their sum over several. */
    static final class Counters {
        long bytes;
        long updates;
        long raw;
        long zrle;
        long tightFill;
        long tightZlib;
        long tightJpeg;
        long copyRect;
        long coalesced;

        void add(Counters c) {
            bytes += c.bytes;
            updates += c.updates;
            raw += c.raw;
            zrle += c.zrle;
            tightFill += c.tightFill;
            tightZlib += c.tightZlib;
            tightJpeg += c.tightJpeg;
            copyRect += c.copyRect;
            coalesced += c.coalesced;
        }

        @Override
        public String toString() {
            return updates + " updates, " + bytes + " bytes, rectangles " + raw + " raw, " + zrle + " zrle, " + tightFill
                    + " tight fill, " + tightZlib + " tight zlib, " + tightJpeg + " tight jpeg, " + copyRect + " copyrect, " + coalesced
                    + " frames coalesced";
        }
    }

    /** This viewer's counters now. */
    Counters counters() {
        Counters c = new Counters();
        c.bytes = bytesSent.get();
        c.updates = updates.get();
        c.raw = rawRects.get();
        c.zrle = zrleRects.get();
        c.tightFill = tightFillRects.get();
        c.tightZlib = tightZlibRects.get();
        c.tightJpeg = tightJpegRects.get();
        c.copyRect = copyRects.get();
        c.coalesced = coalesced();
        return c;
    }

    /**
     * This viewer as the sink's stats list it, or null while it is not a viewer (still in its
     * handshake, or gone): its id, peer, when it connected, and its counters, rectangles by encoding
     * (only the encodings it was sent).
     */
    io.github.scanout.api.sink.SinkClient client() {
        if (!connected || closed.get()) {
            return null;
        }
        Counters c = counters();
        java.util.Map<String, Long> enc = new java.util.HashMap<>();
        long[] counts = {c.raw, c.zrle, c.tightFill, c.tightZlib, c.tightJpeg, c.copyRect};
        String[] names = {"raw", "zrle", "tight_fill", "tight_zlib", "tight_jpeg", "copyrect"};
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] > 0) {
                enc.put(names[i], counts[i]);
            }
        }
        return new io.github.scanout.api.sink.SinkClient(id, peer, since, c.bytes, c.updates, c.coalesced, enc);
    }

    long coalesced() {
        synchronized (screen) {
            return state.coalesced;
        }
    }

    boolean isClosed() {
        return closed.get();
    }

    /**
     * Ends the connection once, logging why with its counters; null reason when it is already
     * being closed by someone else.
     */
    void close(String reason) {
        if (reason != null && closeReason == null) {
            closeReason = reason;
        }
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        synchronized (screen) {
            state.closed = true;
            screen.notifyAll();
        }
        transport.close();
        releaseInput();
        zlib.end();
        for (Deflater d : tightZlib) {
            d.end();
        }
        server.removed(this);
        String why = closeReason == null ? "closed" : closeReason;
        if (connected) {
            server.log(System.Logger.Level.INFO, String.format("viewer %s disconnected after %.1f s: %s; %d updates, "
                    + "%d bytes, %d rectangles raw, %d zrle, %d tight fill, %d tight zlib, %d tight jpeg, %d copyrect, %d frames coalesced, "
                    + "%d input events forwarded (%d pointer positions clamped), %d dropped", peer,
                    (System.nanoTime() - startNanos) / 1e9, why, updates.get(),
                    bytesSent.get(), rawRects.get(), zrleRects.get(), tightFillRects.get(), tightZlibRects.get(),
                    tightJpegRects.get(), copyRects.get(), coalesced(), inputForwarded.get(), inputClamped.get(),
                    inputDropped.get()));
        } else {
            server.log(System.Logger.Level.WARNING, "viewer " + peer + " refused: " + why);
        }
    }

    /** The client's messages, applied to this viewer's state. */
    private final class Handler implements ClientMessages.Handler {
        @Override
        public void setPixelFormat(PixelFormat format) {
            synchronized (screen) {
                state.format = format;
                state.full = true;
            }
        }

        @Override
        public void setEncodings(int[] encodings) {
            synchronized (screen) {
                state.encodings(encodings);
                screen.notifyAll();
            }
        }

        @Override
        public void updateRequest(boolean incremental, int x, int y, int width, int height) {
            synchronized (screen) {
                state.requested = true;
                if (!incremental) {
                    state.full = true;
                }
                screen.notifyAll();
            }
        }

        @Override
        public void key(boolean down, int keysym) {
            io.github.scanout.api.input.InputTarget t = server.input().target();
            if (t == null) {
                inputDropped.incrementAndGet(); // view-only (the default), or a device without input
                return;
            }
            synchronized (keysDown) {
                if (pressedOn != t) { // a new device (the sink was attached again): what was held there is not held here
                    keysDown.clear();
                    buttonsDown = 0;
                    pressedOn = t;
                }
                if (down) {
                    keysDown.add(keysym);
                } else {
                    keysDown.remove(keysym);
                }
                forward(() -> t.key(keysym, down));
            }
        }

        @Override
        public void pointer(int buttons, int x, int y) {
            io.github.scanout.api.input.InputTarget t = server.input().target();
            if (t == null) {
                inputDropped.incrementAndGet();
                return;
            }
            // x, y are u16: inside the framebuffer unless the viewer has not caught up with a smaller mode
            int w = screen.width();
            int h = screen.height();
            int cx = Math.min(x, Math.max(0, w - 1));
            int cy = Math.min(y, Math.max(0, h - 1));
            if (cx != x || cy != y) {
                inputClamped.incrementAndGet();
            }
            int mask = buttons & io.github.scanout.api.input.InputTarget.BUTTONS; // bits 5 to 7: no standard meaning
            synchronized (keysDown) {
                if (pressedOn != t) {
                    keysDown.clear();
                    pressedOn = t;
                }
                buttonsDown = mask;
                pointerX = cx;
                pointerY = cy;
                forward(() -> t.pointer(cx, cy, mask));
            }
        }

        @Override
        public void cutText(int length) {
            // dropped: there is no guest clipboard
        }

        @Override
        public void setDesktopSize(int width, int height, int screens) {
            synchronized (screen) {
                if (state.extendedDesktopSize) {
                    state.refusals = Math.min(state.refusals + 1, 4); // the guest sets the mode; refused
                }
                screen.notifyAll();
            }
        }
    }

    /** Hands one event to the device's target; a target that fails drops it (input is best effort). */
    private void forward(Runnable call) {
        try {
            call.run();
            inputForwarded.incrementAndGet();
        } catch (RuntimeException e) {
            inputDropped.incrementAndGet();
        }
    }

    /** Releases what this viewer holds down on the device, when it goes. */
    private void releaseInput() {
        synchronized (keysDown) {
            io.github.scanout.api.input.InputTarget t = pressedOn;
            if (t == null || t != server.input().target()) {
                keysDown.clear();
                return;
            }
            for (int k : keysDown) {
                forward(() -> t.key(k, false));
            }
            keysDown.clear();
            if (buttonsDown != 0) {
                int x = pointerX;
                int y = pointerY;
                forward(() -> t.pointer(x, y, 0));
                buttonsDown = 0;
            }
        }
    }

    /** Closes the connection when it is ended from outside (watchdog, sink stopping). */
    void abort(String reason) {
        close(reason);
    }

    /** For {@link SocketException} on a closed socket the reason is already set. */
    String closeReason() {
        return closeReason;
    }
}
