package io.github.scanout.core.internal.nativeio;

import io.github.scanout.api.DeviceException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Datagrams over {@code AF_UNIX} sockets, which the JDK cannot send ({@code
 * UnixDomainSocketAddress} works with stream channels only): what systemd's {@code sd_notify}
 * needs ({@code READY=1}, {@code STATUS=...}, {@code WATCHDOG=1} to {@code $NOTIFY_SOCKET}). The
 * launcher calls {@link #send} reflectively through the core bundle's class loader (it does not
 * link against core). An address starting with {@code @} is in the abstract namespace (its first
 * byte becomes NUL), as systemd writes it.
 *
 * <p>Threads: any; each call uses its own socket.
 */
public final class UnixDatagram {
    static final int AF_UNIX = 1;
    static final int SOCK_DGRAM = 2;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int MSG_NOSIGNAL = 0x4000;
    /** {@code sizeof(sun_path)}. */
    static final int PATH_MAX = 108;

    private UnixDatagram() {}

    private static final class Holder {
        static final Libc LIBC = Libc.load();
    }

    /**
     * Sends one datagram holding {@code message} (UTF-8) to {@code address}.
     *
     * @throws IOException naming the address and the errno when the socket cannot be made or the
     *     datagram not sent; IllegalArgumentException for an address that is empty or too long
     */
    public static void send(String address, String message) throws IOException {
        send(Holder.LIBC, address, message.getBytes(StandardCharsets.UTF_8));
    }

    static void send(Libc libc, String address, byte[] message) throws IOException {
        byte[] addr = sockaddr(address);
        int fd = libc.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw new DeviceException("socket(AF_UNIX, SOCK_DGRAM)", libc.errno());
        }
        try {
            long n = libc.sendto(fd, message, message.length, MSG_NOSIGNAL, addr, addr.length);
            if (n < 0) {
                throw new DeviceException("sendto " + address, libc.errno());
            }
            if (n != message.length) {
                throw new IOException("sendto " + address + ": sent " + n + " of " + message.length + " bytes");
            }
        } finally {
            libc.close(fd);
        }
    }

    /**
     * {@code struct sockaddr_un} for the address, cut to its used length: the family (native
     * byte order, little-endian on the platforms Scanout supports), then the path with its NUL,
     * or, for {@code @name}, a NUL and the name without one.
     */
    static byte[] sockaddr(String address) {
        if (address == null || address.isEmpty() || address.equals("@")) {
            throw new IllegalArgumentException("empty AF_UNIX address");
        }
        boolean abstractName = address.charAt(0) == '@';
        byte[] path = address.getBytes(StandardCharsets.UTF_8);
        if (abstractName) {
            path[0] = 0;
        }
        int used = path.length + (abstractName ? 0 : 1);
        if (used > PATH_MAX) {
            throw new IllegalArgumentException("AF_UNIX address longer than " + (PATH_MAX - 1) + " bytes: " + address);
        }
        if (!abstractName && address.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("AF_UNIX path with a NUL byte");
        }
        byte[] out = new byte[2 + used];
        out[0] = (byte) AF_UNIX;
        out[1] = 0;
        System.arraycopy(path, 0, out, 2, path.length);
        return out;
    }

    /**
     * A bound datagram socket that receives; for tests that play systemd's part. Closing it
     * removes nothing from the file system (the caller owns the path).
     */
    public static final class Receiver implements AutoCloseable {
        private final Libc libc;
        private final int fd;

        private Receiver(Libc libc, int fd) {
            this.libc = libc;
            this.fd = fd;
        }

        /** Binds a new socket to the address (a path that does not exist yet, or {@code @name}). */
        public static Receiver bind(String address) throws IOException {
            Libc libc = Holder.LIBC;
            byte[] addr = sockaddr(address);
            int fd = libc.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
            if (fd < 0) {
                throw new DeviceException("socket(AF_UNIX, SOCK_DGRAM)", libc.errno());
            }
            if (libc.bind(fd, addr, addr.length) < 0) {
                int errno = libc.errno();
                libc.close(fd);
                throw new DeviceException("bind " + address, errno);
            }
            return new Receiver(libc, fd);
        }

        /**
         * The next datagram, or null when none came within {@code timeoutMillis}.
         */
        public String receive(int timeoutMillis) throws IOException {
            com.sun.jna.Memory pfd = new com.sun.jna.Memory(8);
            pfd.clear();
            pfd.setInt(0, fd);
            pfd.setShort(4, (short) 1); // POLLIN
            int r = libc.poll(pfd, 1, timeoutMillis);
            if (r < 0) {
                throw new DeviceException("poll", libc.errno());
            }
            if (r == 0) {
                return null;
            }
            byte[] buf = new byte[4096];
            long n = libc.recv(fd, buf, buf.length, 0);
            if (n < 0) {
                throw new DeviceException("recv", libc.errno());
            }
            return new String(buf, 0, (int) n, StandardCharsets.UTF_8);
        }

        @Override
        public void close() {
            libc.close(fd);
        }
    }
}
