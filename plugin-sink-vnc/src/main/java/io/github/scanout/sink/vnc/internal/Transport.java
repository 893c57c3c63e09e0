package io.github.scanout.sink.vnc.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.SocketChannel;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * One viewer's byte stream, whatever carries it: a TCP socket (optionally turned into TLS by
 * VeNCrypt), a Unix-domain socket, or a WebSocket. {@link Viewer} speaks RFB over it and needs
 * nothing else.
 *
 * <p>Threads: {@link #in} from the viewer's reader, {@link #out} from its writer (and the
 * handshake), {@link #close} from any.
 */
interface Transport extends AutoCloseable {
    InputStream in() throws IOException;

    OutputStream out() throws IOException;

    /** The peer as a log line names it: {@code 127.0.0.1:40432}, {@code unix:/run/x.sock#3}. */
    String peer();

    /** Where failed logins are counted: the peer's address, or null where there is none (Unix socket). */
    InetAddress address();

    /** Bounds each read during the handshake (0: none); a transport without read timeouts ignores it. */
    void readTimeout(int millis) throws IOException;

    /** Whether {@link #readTimeout} bounds reads; where not, the watchdog bounds the whole handshake. */
    default boolean hasReadTimeout() {
        return false;
    }

    /** Whether {@link #startTls} works here (TCP only). */
    default boolean canStartTls() {
        return false;
    }

    /**
     * Runs a TLS handshake as server over this transport, {@code consumed} being bytes already
     * read from it, and carries on over TLS.
     */
    default void startTls(SSLContext tls, byte[] consumed) throws IOException {
        throw new IOException("TLS is not available on this transport");
    }

    /** Whether the bytes already travel encrypted (TLS, or a wss:// WebSocket). */
    default boolean encrypted() {
        return false;
    }

    @Override
    void close();

    /** A TCP connection. */
    static Transport tcp(Socket socket) throws IOException {
        socket.setTcpNoDelay(true);
        return new Tcp(socket);
    }

    /** A Unix-domain socket connection (blocking channel). */
    static Transport unix(SocketChannel channel, String peer) {
        return new Unix(channel, peer);
    }

    final class Tcp implements Transport {
        private volatile Socket socket;
        private final String peer;
        private volatile boolean tls;

        Tcp(Socket socket) {
            this.socket = socket;
            this.peer = name(socket);
        }

        static String name(Socket s) {
            if (s.getRemoteSocketAddress() instanceof InetSocketAddress a) {
                return a.getAddress().getHostAddress() + ":" + a.getPort();
            }
            return String.valueOf(s.getRemoteSocketAddress());
        }

        @Override
        public InputStream in() throws IOException {
            return socket.getInputStream();
        }

        @Override
        public OutputStream out() throws IOException {
            return socket.getOutputStream();
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
        public boolean canStartTls() {
            return true;
        }

        @Override
        public boolean hasReadTimeout() {
            return true;
        }

        @Override
        public void startTls(SSLContext context, byte[] consumed) throws IOException {
            SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket(socket,
                    consumed.length == 0 ? null : new ByteArrayInputStream(consumed), true);
            s.setUseClientMode(false);
            s.setSoTimeout(socket.getSoTimeout());
            s.startHandshake();
            socket = s;
            tls = true;
        }

        @Override
        public boolean encrypted() {
            return tls;
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

    final class Unix implements Transport {
        private final SocketChannel channel;
        private final String peer;
        private final InputStream in;
        private final OutputStream out;

        Unix(SocketChannel channel, String peer) {
            this.channel = channel;
            this.peer = peer;
            // not Channels.newInputStream/newOutputStream: both hold the channel's blocking lock, so a
            // read waiting for the viewer would block every write; the channel's own read and write
            // may run at once
            this.in = new InputStream() {
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
                    return channel.read(java.nio.ByteBuffer.wrap(b, off, len));
                }
            };
            this.out = new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(b, off, len);
                    while (buf.hasRemaining()) {
                        channel.write(buf);
                    }
                }
            };
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
            return null;
        }

        @Override
        public void readTimeout(int millis) {
            // channels have none: the watchdog ends a handshake that takes too long
        }

        @Override
        public boolean encrypted() {
            return false;
        }

        @Override
        public void close() {
            try {
                channel.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }
}
