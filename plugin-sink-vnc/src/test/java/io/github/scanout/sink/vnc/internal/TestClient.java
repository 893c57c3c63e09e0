package io.github.scanout.sink.vnc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A minimal RFB client for protocol tests (the real-client tests use Debian's clients): None
 * security, the server's pixel format, Raw rectangles and the pseudo-rectangles this server
 * sends. Not thread-safe.
 */
final class TestClient implements AutoCloseable {
    final Socket socket;
    final DataInputStream in;
    final DataOutputStream out;
    int width;
    int height;
    int[] picture;
    String name;

    /** One rectangle of the last update: where, and its encoding. */
    record Rect(int x, int y, int width, int height, int encoding) {}

    private TestClient(Socket socket) throws IOException {
        this.socket = socket;
        socket.setSoTimeout(60_000);
        // as real viewers do (TigerVNC sets TCP_NODELAY): a request written in pieces is not held
        // back by Nagle's algorithm until the server's delayed ACK
        socket.setTcpNoDelay(true);
        this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
        this.out = new DataOutputStream(socket.getOutputStream());
    }

    /** Connects without starting the handshake. */
    static TestClient raw(int port) throws IOException {
        return new TestClient(new Socket("127.0.0.1", port));
    }

    /** Connects and completes the handshake as an RFB {@code version} client ("003.003", "003.007", "003.008"). */
    static TestClient connect(int port, String version) throws IOException {
        TestClient c = raw(port);
        c.handshake(version);
        return c;
    }

    /** An RFB 3.8 client whose socket buffers little, so that a server writing to it soon blocks when it does not read. */
    static TestClient connectSmallBuffer(int port) throws IOException {
        Socket s = new Socket();
        s.setReceiveBufferSize(4096);
        s.connect(new java.net.InetSocketAddress("127.0.0.1", port));
        TestClient c = new TestClient(s);
        c.handshake("003.008");
        return c;
    }

    /** Sends a non-incremental request every 50 ms on a thread of its own, never reading, until the socket closes. */
    Thread requestForever() {
        Thread t = new Thread(() -> {
            try {
                while (!socket.isClosed()) {
                    request(false);
                    Thread.sleep(50);
                }
            } catch (IOException | InterruptedException e) {
                // closed
            }
        }, "stalled-viewer");
        t.setDaemon(true);
        t.start();
        return t;
    }

    void handshake(String version) throws IOException {
        byte[] v = new byte[12];
        in.readFully(v);
        assertThat(new String(v, StandardCharsets.US_ASCII)).isEqualTo("RFB 003.008\n");
        out.write(("RFB " + version + "\n").getBytes(StandardCharsets.US_ASCII));
        int minor = Integer.parseInt(version.substring(4));
        if (minor < 7) {
            assertThat(in.readInt()).as("security type").isEqualTo(1);
        } else {
            int n = in.readUnsignedByte();
            byte[] types = new byte[n];
            in.readFully(types);
            assertThat(types).containsExactly(1);
            out.write(1);
            if (minor >= 8) {
                assertThat(in.readInt()).as("security result").isZero();
            }
        }
        out.write(1); // shared
        width = in.readUnsignedShort();
        height = in.readUnsignedShort();
        byte[] pf = new byte[16];
        in.readFully(pf);
        assertThat(pf).startsWith(32, 24, 0, 1);
        byte[] n = new byte[in.readInt()];
        in.readFully(n);
        name = new String(n, StandardCharsets.UTF_8);
        picture = new int[width * height];
    }

    void setEncodings(int... encodings) throws IOException {
        out.write(new byte[] {2, 0});
        out.writeShort(encodings.length);
        for (int e : encodings) {
            out.writeInt(e);
        }
        out.flush();
    }

    /** A KeyEvent. */
    void key(boolean down, int keysym) throws IOException {
        out.write(new byte[] {4, (byte) (down ? 1 : 0), 0, 0});
        out.writeInt(keysym);
        out.flush();
    }

    /** A PointerEvent. */
    void pointer(int buttons, int x, int y) throws IOException {
        out.write(new byte[] {5, (byte) buttons});
        out.writeShort(x);
        out.writeShort(y);
        out.flush();
    }

    void request(boolean incremental) throws IOException {
        out.write(new byte[] {3, (byte) (incremental ? 1 : 0), 0, 0, 0, 0});
        out.writeShort(width);
        out.writeShort(height);
        out.flush();
    }

    /** Reads one FramebufferUpdate into {@link #picture}; returns its rectangles. */
    List<Rect> readUpdate() throws IOException {
        int type = in.readUnsignedByte();
        assertThat(type).as("server message type").isZero();
        in.readUnsignedByte();
        int n = in.readUnsignedShort();
        List<Rect> rects = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Rect r = new Rect(in.readUnsignedShort(), in.readUnsignedShort(), in.readUnsignedShort(),
                    in.readUnsignedShort(), in.readInt());
            rects.add(r);
            switch (r.encoding()) {
                case 0 -> {
                    byte[] px = new byte[r.width() * r.height() * 4];
                    in.readFully(px);
                    for (int y = 0; y < r.height(); y++) {
                        for (int x = 0; x < r.width(); x++) {
                            int o = (y * r.width() + x) * 4;
                            picture[(r.y() + y) * width + r.x() + x] = 0xff000000 | (px[o] & 0xff)
                                    | (px[o + 1] & 0xff) << 8 | (px[o + 2] & 0xff) << 16;
                        }
                    }
                }
                case -223 -> resize(r.width(), r.height());
                case -308 -> {
                    int screens = in.readUnsignedByte();
                    in.readFully(new byte[3 + 16 * screens]);
                    if (r.x() == 0) {
                        resize(r.width(), r.height());
                    }
                }
                case -239 -> in.readFully(new byte[r.width() * r.height() * 4 + (r.width() + 7) / 8 * r.height()]);
                case -232 -> { }
                case -224 -> {
                    return rects;
                }
                default -> throw new AssertionError("unexpected encoding " + r.encoding());
            }
        }
        return rects;
    }

    /**
     * Reads one FramebufferUpdate of Raw, ZRLE or Tight rectangles without decoding their pixels
     * (the default pixel format assumed); returns its bytes on the wire.
     */
    long skipUpdate() throws IOException {
        assertThat(in.readUnsignedByte()).as("server message type").isZero();
        in.readUnsignedByte();
        int n = in.readUnsignedShort();
        long bytes = 4;
        for (int i = 0; i < n; i++) {
            in.readUnsignedShort();
            in.readUnsignedShort();
            int w = in.readUnsignedShort();
            int h = in.readUnsignedShort();
            int encoding = in.readInt();
            bytes += 12;
            switch (encoding) {
                case 0 -> bytes += skip((long) w * h * 4);
                case 16 -> bytes += 4 + skip(in.readInt());
                case 7 -> {
                    int ctl = in.readUnsignedByte() >> 4;
                    bytes++;
                    if (ctl == 8) {
                        bytes += skip(3);
                    } else if (ctl == 9) {
                        int[] len = compactLength();
                        bytes += len[1] + skip(len[0]);
                    } else {
                        int filter = 0;
                        if ((ctl & 4) != 0) {
                            filter = in.readUnsignedByte();
                            bytes++;
                        }
                        long row = (long) w * 3;
                        if (filter == 1) {
                            int colours = in.readUnsignedByte() + 1;
                            bytes += 1 + skip(colours * 3L);
                            row = colours == 2 ? (w + 7) / 8 : w;
                        }
                        long size = row * h;
                        if (size < 12) {
                            bytes += skip(size);
                        } else {
                            int[] len = compactLength();
                            bytes += len[1] + skip(len[0]);
                        }
                    }
                }
                case -224 -> {
                    return bytes;
                }
                default -> throw new AssertionError("unexpected encoding " + encoding);
            }
        }
        return bytes;
    }

    private int[] compactLength() throws IOException {
        int len = 0;
        for (int i = 0; i < 3; i++) {
            int b = in.readUnsignedByte();
            len |= (i == 2 ? b : b & 0x7f) << (7 * i);
            if (i == 2 || (b & 0x80) == 0) {
                return new int[] {len, i + 1};
            }
        }
        throw new AssertionError("unreachable");
    }

    private long skip(long n) throws IOException {
        long left = n;
        while (left > 0) {
            long k = in.skip(left);
            if (k <= 0) {
                in.readUnsignedByte();
                k = 1;
            }
            left -= k;
        }
        return n;
    }

    private void resize(int w, int h) {
        width = w;
        height = h;
        picture = new int[w * h];
    }

    /** Requests and reads updates until the picture equals {@code expected} (60 s at most). */
    void awaitPicture(int[] expected, int w, int h) throws IOException {
        long end = System.nanoTime() + 60_000_000_000L;
        boolean incremental = false;
        while (System.nanoTime() < end) {
            request(incremental);
            readUpdate();
            incremental = true;
            if (width == w && height == h && java.util.Arrays.equals(picture, expected)) {
                return;
            }
        }
        throw new AssertionError("the picture never became the expected one in 60 s: "
                + (width == w && height == h ? RealClients.firstDifference(expected, picture, w) : width + "x" + height));
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
