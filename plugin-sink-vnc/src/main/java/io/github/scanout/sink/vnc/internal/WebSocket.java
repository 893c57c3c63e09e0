package io.github.scanout.sink.vnc.internal;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The server side of one WebSocket connection (RFC 6455) as a byte stream: the HTTP Upgrade
 * handshake, then binary messages in both directions, their boundaries ignored, as websockify
 * and QEMU carry RFB for noVNC. Nothing here knows RFB: a later web console may carry anything
 * over it.
 *
 * <p>Why hand-written: the JDK has a WebSocket client only; a server library (Jetty, Tyrus,
 * Java-WebSocket) would be a web server's worth of bundles for the 200 lines needed here.
 *
 * <p>Limits: the request is at most 8 KiB of headers; frames from the client must be masked;
 * payloads are streamed (nothing is allocated in a size the client names); control frames are at
 * most 125 bytes; text frames and unknown opcodes end the connection.
 *
 * <p>Threads: {@link #in} from one reader, {@link #out} from one writer; control replies
 * (pong, close) are written under the output's lock.
 */
final class WebSocket implements Transport {
    static final int MAX_REQUEST_BYTES = 8192;
    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private final Socket socket;
    private final String peer;
    private final InputStream rawIn;
    private final OutputStream rawOut;
    private final InputStream in = new FrameInput();
    private final OutputStream out = new FrameOutput();
    private final boolean encrypted;

    private WebSocket(Socket socket, String peer, boolean encrypted, InputStream in, OutputStream out) {
        this.socket = socket;
        this.peer = peer;
        this.encrypted = encrypted;
        this.rawIn = new java.io.BufferedInputStream(in);
        this.rawOut = out;
    }

    /** A WebSocket over given streams, without a socket (the fuzz target). */
    static WebSocket over(InputStream in, OutputStream out, Predicate<String> originAllowed) throws IOException {
        WebSocket ws = new WebSocket(null, "ws:test", false, in, out);
        ws.handshake(originAllowed, "binary");
        return ws;
    }

    /** A refused upgrade: the status sent and why, for the log. */
    static final class Refused extends IOException {
        Refused(String message) {
            super(message);
        }
    }

    /**
     * Reads the client's Upgrade request and answers it.
     *
     * @param originAllowed whether a browser page of this Origin may connect (no Origin header:
     *     not a browser, allowed)
     * @param subprotocol the subprotocol to accept when the client offers it ({@code binary} for
     *     noVNC), or null
     * @throws Refused after answering 400 or 403, naming what was wrong
     */
    static WebSocket accept(Socket socket, boolean encrypted, Predicate<String> originAllowed, String subprotocol)
            throws IOException {
        WebSocket ws = new WebSocket(socket, "ws:" + Transport.Tcp.name(socket), encrypted, socket.getInputStream(),
                socket.getOutputStream());
        ws.handshake(originAllowed, subprotocol);
        return ws;
    }

    private void handshake(Predicate<String> originAllowed, String subprotocol) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int state = 0;
        while (state < 4) {
            int c = rawIn.read();
            if (c < 0) {
                throw new EOFException("the connection ended in the HTTP request");
            }
            if (head.size() >= MAX_REQUEST_BYTES) {
                refuse(431, "Request Header Fields Too Large", "an HTTP request over " + MAX_REQUEST_BYTES + " bytes");
            }
            head.write(c);
            state = (c == '\r' && state % 2 == 0) || (c == '\n' && state % 2 == 1) ? state + 1 : c == '\r' ? 1 : 0;
        }
        String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        if (lines.length == 0 || lines[0].isEmpty()) {
            refuse(400, "Bad Request", "an HTTP request without a request line");
        }
        String[] request = lines[0].split(" ");
        if (request.length != 3 || !request[0].equals("GET") || !request[2].startsWith("HTTP/1.")) {
            refuse(400, "Bad Request", "not an HTTP GET (" + printable(lines[0]) + ")");
        }
        Map<String, String> headers = new HashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.merge(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim(),
                        (a, b) -> a + ", " + b);
            }
        }
        if (!"websocket".equalsIgnoreCase(headers.getOrDefault("upgrade", ""))
                || !headers.getOrDefault("connection", "").toLowerCase(Locale.ROOT).contains("upgrade")) {
            refuse(400, "Bad Request", "an HTTP request without 'Upgrade: websocket' (this port takes WebSocket only)");
        }
        if (!"13".equals(headers.get("sec-websocket-version"))) {
            refuse(400, "Bad Request", "WebSocket version " + printable(headers.getOrDefault("sec-websocket-version", "none"))
                    + " (13 is spoken)");
        }
        String key = headers.getOrDefault("sec-websocket-key", "");
        byte[] nonce;
        try {
            nonce = Base64.getDecoder().decode(key);
        } catch (IllegalArgumentException e) {
            nonce = new byte[0];
        }
        if (nonce.length != 16) {
            refuse(400, "Bad Request", "a Sec-WebSocket-Key that is not 16 bytes of base64");
        }
        String origin = headers.get("origin");
        if (origin != null && !originAllowed.test(origin)) {
            refuse(403, "Forbidden", "a page from origin " + printable(origin) + " (not in websocket.origins)");
        }
        StringBuilder reply = new StringBuilder("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Accept: " + acceptKey(key) + "\r\n");
        if (subprotocol != null) {
            for (String p : headers.getOrDefault("sec-websocket-protocol", "").split(",")) {
                if (p.trim().equals(subprotocol)) {
                    reply.append("Sec-WebSocket-Protocol: ").append(subprotocol).append("\r\n");
                    break;
                }
            }
        }
        reply.append("\r\n");
        rawOut.write(reply.toString().getBytes(StandardCharsets.ISO_8859_1));
        rawOut.flush();
    }

    private void refuse(int status, String text, String why) throws IOException {
        try {
            rawOut.write(("HTTP/1.1 " + status + " " + text + "\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n"
                    + why + "\n").getBytes(StandardCharsets.ISO_8859_1));
            rawOut.flush();
        } catch (IOException e) {
            // refused anyway
        }
        throw new Refused("websocket: " + why);
    }

    /** Sec-WebSocket-Accept for a key. */
    static String acceptKey(String key) {
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
                    .digest((key + GUID).getBytes(StandardCharsets.ISO_8859_1)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-1", e);
        }
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < Math.min(s.length(), 80); i++) {
            char c = s.charAt(i);
            b.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return b.toString();
    }

    /** The payload bytes of binary (and continuation) frames, control frames answered on the way. */
    private final class FrameInput extends InputStream {
        private long left;
        private final byte[] mask = new byte[4];
        private long offset;
        private boolean closed;

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            while (left == 0) {
                if (closed || !nextFrame()) {
                    return -1;
                }
            }
            int n = rawIn.read(b, off, (int) Math.min(len, left));
            if (n < 0) {
                throw new EOFException("the connection ended in a WebSocket frame");
            }
            for (int i = 0; i < n; i++) {
                b[off + i] ^= mask[(int) ((offset + i) & 3)];
            }
            offset += n;
            left -= n;
            return n;
        }

        /** Reads a frame header; false at a close frame. */
        private boolean nextFrame() throws IOException {
            int b0 = readByte();
            int b1 = readByte();
            int opcode = b0 & 0x0f;
            if ((b0 & 0x70) != 0) {
                throw new IOException("websocket: reserved bits set (no extension was agreed)");
            }
            if ((b1 & 0x80) == 0) {
                throw new IOException("websocket: an unmasked frame from the client");
            }
            long len = b1 & 0x7f;
            if (len == 126) {
                len = (readByte() << 8) | readByte();
            } else if (len == 127) {
                len = 0;
                for (int i = 0; i < 8; i++) {
                    len = (len << 8) | readByte();
                }
                if (len < 0) {
                    throw new IOException("websocket: a frame length over 2^63");
                }
            }
            for (int i = 0; i < 4; i++) {
                mask[i] = (byte) readByte();
            }
            offset = 0;
            switch (opcode) {
                case 0, 2 -> {
                    left = len;
                    return true;
                }
                case 8, 9, 10 -> {
                    if (len > 125) {
                        throw new IOException("websocket: a control frame of " + len + " bytes (125 at most)");
                    }
                    byte[] payload = new byte[(int) len];
                    for (int i = 0; i < payload.length; i++) {
                        payload[i] = (byte) (readByte() ^ mask[i & 3]);
                    }
                    if (opcode == 9) {
                        frame(10, payload, 0, payload.length);
                    } else if (opcode == 8) {
                        closed = true;
                        frame(8, payload, 0, Math.min(2, payload.length));
                        return false;
                    }
                    return true;
                }
                default -> throw new IOException("websocket: frame opcode " + opcode + " (binary frames only)");
            }
        }

        private int readByte() throws IOException {
            int c = rawIn.read();
            if (c < 0) {
                throw new EOFException("the connection ended in a WebSocket frame header");
            }
            return c;
        }
    }

    /** Writes one unmasked frame. */
    private void frame(int opcode, byte[] b, int off, int len) throws IOException {
        byte[] header;
        if (len < 126) {
            header = new byte[] {(byte) (0x80 | opcode), (byte) len};
        } else if (len < 65536) {
            header = new byte[] {(byte) (0x80 | opcode), 126, (byte) (len >>> 8), (byte) len};
        } else {
            header = new byte[10];
            header[0] = (byte) (0x80 | opcode);
            header[1] = 127;
            for (int i = 0; i < 8; i++) {
                header[2 + i] = (byte) ((long) len >>> (56 - 8 * i));
            }
        }
        synchronized (rawOut) {
            rawOut.write(header);
            rawOut.write(b, off, len);
            rawOut.flush();
        }
    }

    /** Each write is one binary message. */
    private final class FrameOutput extends OutputStream {
        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            frame(2, b, off, len);
        }
    }

    @Override
    public InputStream in() {
        return in;
    }

    @Override
    public OutputStream out() {
        return out;
    }

    @Override
    public String peer() {
        return peer;
    }

    @Override
    public InetAddress address() {
        return socket.getInetAddress();
    }

    @Override
    public void readTimeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    @Override
    public boolean hasReadTimeout() {
        return true;
    }

    @Override
    public boolean encrypted() {
        return encrypted;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
