package io.github.scanout.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * QEMU's own picture of its display, for tests that compare what Scanout captured with it: the
 * QMP command {@code screendump} on a QMP socket the test owns (QEMU serves one client per QMP
 * socket at a time), which writes a binary PPM ({@code P6}, maxval 255) that this class reads.
 * Pure JDK (Unix-domain {@link SocketChannel}), so any module's tests can use it.
 */
public final class QemuScreendump {

    private QemuScreendump() {}

    /** A picture: its pixels as {@code 0xRRGGBB}, row after row. */
    public record Picture(int width, int height, int[] rgb) {

        /** The pixel at column {@code x}, row {@code y}, as {@code 0xRRGGBB}. */
        public int at(int x, int y) {
            return rgb[y * width + x];
        }
    }

    /**
     * Connects to the QMP socket, negotiates capabilities, runs {@code screendump} into
     * {@code file} and reads it.
     *
     * @param wait how long QEMU may take for each answer (generous: TCG on a loaded machine)
     * @throws IOException when QEMU closes the socket, answers with an error or stays silent for
     *     {@code wait}; the message says which
     */
    public static Picture take(Path qmpSocket, Path file, Duration wait) throws IOException {
        String path = file.toAbsolutePath().toString();
        if (path.contains("\"") || path.contains("\\")) {
            throw new IllegalArgumentException("a screendump path without quotes or backslashes: " + path);
        }
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
                Selector selector = Selector.open()) {
            ch.connect(UnixDomainSocketAddress.of(qmpSocket));
            ch.configureBlocking(false);
            ch.register(selector, SelectionKey.OP_READ);
            Lines lines = new Lines(ch, selector, wait, qmpSocket);
            lines.next(); // the greeting
            command(ch, lines, "{\"execute\":\"qmp_capabilities\"}");
            command(ch, lines, "{\"execute\":\"screendump\",\"arguments\":{\"filename\":\"" + path + "\"}}");
        }
        return readPpm(Files.readAllBytes(file));
    }

    private static void command(SocketChannel ch, Lines lines, String json) throws IOException {
        ByteBuffer out = ByteBuffer.wrap((json + "\n").getBytes(StandardCharsets.UTF_8));
        while (out.hasRemaining()) {
            ch.write(out);
        }
        while (true) {
            String reply = lines.next();
            if (reply.contains("\"event\"")) {
                continue; // asynchronous events may come before the reply
            }
            if (!reply.contains("\"return\"")) {
                throw new IOException("QMP " + json + " failed: " + reply);
            }
            return;
        }
    }

    /** Reads a binary PPM ({@code P6}, maxval 255), as QEMU's {@code screendump} writes it. */
    public static Picture readPpm(byte[] f) throws IOException {
        int[] at = {0};
        if (!token(f, at).equals("P6")) {
            throw new IOException("not a binary PPM (P6)");
        }
        int w = Integer.parseInt(token(f, at));
        int h = Integer.parseInt(token(f, at));
        if (!token(f, at).equals("255")) {
            throw new IOException("a PPM with a maxval other than 255");
        }
        int p = at[0] + 1; // one whitespace byte after maxval
        if ((long) f.length - p != (long) w * h * 3) {
            throw new IOException("a " + w + " x " + h + " PPM with " + (f.length - p) + " bytes of pixels");
        }
        int[] rgb = new int[w * h];
        for (int i = 0; i < rgb.length; i++, p += 3) {
            rgb[i] = (f[p] & 0xff) << 16 | (f[p + 1] & 0xff) << 8 | (f[p + 2] & 0xff);
        }
        return new Picture(w, h, rgb);
    }

    private static String token(byte[] f, int[] at) throws IOException {
        while (at[0] < f.length && Character.isWhitespace(f[at[0]])) {
            at[0]++;
        }
        int start = at[0];
        while (at[0] < f.length && !Character.isWhitespace(f[at[0]])) {
            at[0]++;
        }
        if (at[0] >= f.length) {
            throw new IOException("a PPM header that ends early");
        }
        return new String(f, start, at[0] - start, StandardCharsets.US_ASCII);
    }

    /** QMP's messages, one a line, read with a time limit per line. */
    private static final class Lines {
        private final SocketChannel ch;
        private final Selector selector;
        private final Duration wait;
        private final Path socket;
        private final ByteBuffer in = ByteBuffer.allocate(64 * 1024);
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        Lines(SocketChannel ch, Selector selector, Duration wait, Path socket) {
            this.ch = ch;
            this.selector = selector;
            this.wait = wait;
            this.socket = socket;
            in.flip();
        }

        String next() throws IOException {
            long deadline = System.nanoTime() + wait.toNanos();
            while (true) {
                while (in.hasRemaining()) {
                    byte b = in.get();
                    if (b == '\n') {
                        String s = line.toString(StandardCharsets.UTF_8);
                        line.reset();
                        return s;
                    }
                    line.write(b);
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IOException("QMP socket " + socket + " sent nothing for " + wait);
                }
                selector.select(Math.max(1, left / 1_000_000));
                selector.selectedKeys().clear();
                in.clear();
                int n = ch.read(in);
                in.flip();
                if (n < 0) {
                    throw new IOException("QMP socket " + socket + " closed");
                }
            }
        }
    }
}
