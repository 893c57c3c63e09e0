package io.github.scanout.core.internal.nativeio;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import io.github.scanout.api.DeviceException;
import io.github.scanout.api.Errno;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Unix-domain stream sockets with fd passing ({@code SCM_RIGHTS}) and peer credentials
 * ({@code SO_PEERCRED}), over the C library: the borrow helper and its clients. The same thin
 * style as {@link LibcKernel}: -1 becomes a {@link DeviceException} carrying errno and naming the
 * call. Struct layouts are LP64 Linux (x86_64, aarch64), which {@link Libc#load()} insists on.
 *
 * <p>Every fd made here has {@code FD_CLOEXEC}; received fds too ({@code MSG_CMSG_CLOEXEC}).
 *
 * <p>Threads: any thread.
 */
public final class UnixSockets {

    static final int AF_UNIX = 1;
    static final int SOCK_STREAM = 1;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int SOL_SOCKET = 1;
    static final int SO_PEERCRED = 17;
    static final int SCM_RIGHTS = 1;
    static final int MSG_CMSG_CLOEXEC = 0x40000000;
    static final int MSG_NOSIGNAL = 0x4000;
    /** {@code sizeof(struct sockaddr_un)}; the path may use 107 bytes and a NUL. */
    static final int SOCKADDR_UN = 110;
    static final int MAX_PATH = 107;
    /** {@code struct msghdr} on LP64. */
    static final int MSGHDR = 56;
    /** Most fds one message carries here. */
    public static final int MAX_FDS = 4;

    private final Libc libc;

    public UnixSockets(Libc libc) {
        this.libc = Objects.requireNonNull(libc, "libc");
    }

    /** Over the real C library. */
    public static UnixSockets real() {
        return new UnixSockets(Holder.LIBC);
    }

    private static final class Holder {
        static final Libc LIBC = Libc.load();
    }

    /** A peer's credentials, as the kernel recorded them at connect. */
    public record PeerCred(int pid, int uid, int gid) {}

    /** What {@link #receive} read: the bytes and the fds that came with them. */
    public record Received(byte[] bytes, int[] fds) {}

    private DeviceException error(String call) {
        return new DeviceException(call, libc.errno());
    }

    private static Memory address(String path) throws DeviceException {
        byte[] p = path.getBytes(StandardCharsets.UTF_8);
        if (p.length == 0 || p.length > MAX_PATH) {
            throw new DeviceException("socket path '" + path + "' is empty or longer than " + MAX_PATH + " bytes");
        }
        Memory a = new Memory(SOCKADDR_UN);
        a.clear();
        a.setShort(0, (short) AF_UNIX);
        a.write(2, p, 0, p.length);
        return a;
    }

    private int socket() throws DeviceException {
        int fd = libc.socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw error("socket(AF_UNIX)");
        }
        return fd;
    }

    /** A listening socket bound to {@code path} (which must not exist). */
    public int listen(String path) throws DeviceException {
        int fd = socket();
        try (Memory a = address(path)) {
            if (libc.bind(fd, a, SOCKADDR_UN) < 0) {
                throw error("bind(" + path + ")");
            }
            if (libc.listen(fd, 16) < 0) {
                throw error("listen(" + path + ")");
            }
            return fd;
        } catch (DeviceException e) {
            libc.close(fd);
            throw e;
        }
    }

    /** The next connection on a listening socket. */
    public int accept(int listening) throws DeviceException {
        int fd = libc.accept4(listening, Pointer.NULL, Pointer.NULL, SOCK_CLOEXEC);
        if (fd < 0) {
            throw error("accept4(fd " + listening + ")");
        }
        return fd;
    }

    /** A socket connected to {@code path}. */
    public int connect(String path) throws DeviceException {
        int fd = socket();
        try (Memory a = address(path)) {
            if (libc.connect(fd, a, SOCKADDR_UN) < 0) {
                throw error("connect(" + path + ")");
            }
            return fd;
        } catch (DeviceException e) {
            libc.close(fd);
            throw e;
        }
    }

    /** The credentials of the peer of a connected socket. */
    public PeerCred peer(int fd) throws DeviceException {
        try (Memory cred = new Memory(12); Memory len = new Memory(4)) {
            len.setInt(0, 12);
            if (libc.getsockopt(fd, SOL_SOCKET, SO_PEERCRED, cred, len) < 0) {
                throw error("getsockopt(fd " + fd + ", SO_PEERCRED)");
            }
            return new PeerCred(cred.getInt(0), cred.getInt(4), cred.getInt(8));
        }
    }

    /** Sends {@code bytes} (at least one) with {@code fds} (none to {@link #MAX_FDS}) attached. */
    public void send(int fd, byte[] bytes, int... fds) throws DeviceException {
        if (bytes.length == 0 || fds.length > MAX_FDS) {
            throw new IllegalArgumentException("send needs 1+ bytes and at most " + MAX_FDS + " fds");
        }
        try (Memory data = new Memory(bytes.length); Memory iov = new Memory(16); Memory msg = new Memory(MSGHDR);
                Memory control = new Memory(cmsgSpace(MAX_FDS))) {
            data.write(0, bytes, 0, bytes.length);
            iov.setPointer(0, data);
            iov.setLong(8, bytes.length);
            msg.clear();
            msg.setPointer(16, iov);
            msg.setLong(24, 1);
            if (fds.length > 0) {
                control.clear();
                control.setLong(0, 16 + 4L * fds.length); // cmsg_len = CMSG_LEN(4 * n)
                control.setInt(8, SOL_SOCKET);
                control.setInt(12, SCM_RIGHTS);
                for (int i = 0; i < fds.length; i++) {
                    control.setInt(16 + 4L * i, fds[i]);
                }
                msg.setPointer(32, control);
                msg.setLong(40, cmsgSpace(fds.length));
            }
            long n = libc.sendmsg(fd, msg, MSG_NOSIGNAL);
            if (n < 0) {
                throw error("sendmsg(fd " + fd + ")");
            }
            if (n != bytes.length) {
                throw new DeviceException("sendmsg(fd " + fd + ") sent " + n + " of " + bytes.length + " bytes");
            }
        }
    }

    /** {@code CMSG_SPACE(4 * n)}: the header (16) and the data rounded up to 8. */
    static int cmsgSpace(int n) {
        return 16 + ((4 * n + 7) & ~7);
    }

    /**
     * Receives up to {@code max} bytes and any fds that came with them (closed-on-exec). An empty
     * byte array means the peer closed the connection.
     */
    public Received receive(int fd, int max) throws DeviceException {
        try (Memory data = new Memory(Math.max(1, max)); Memory iov = new Memory(16); Memory msg = new Memory(MSGHDR);
                Memory control = new Memory(cmsgSpace(MAX_FDS))) {
            iov.setPointer(0, data);
            iov.setLong(8, max);
            msg.clear();
            control.clear();
            msg.setPointer(16, iov);
            msg.setLong(24, 1);
            msg.setPointer(32, control);
            msg.setLong(40, cmsgSpace(MAX_FDS));
            long n;
            while (true) {
                n = libc.recvmsg(fd, msg, MSG_CMSG_CLOEXEC);
                if (n >= 0 || libc.errno() != Errno.EINTR.number()) {
                    break;
                }
            }
            if (n < 0) {
                throw error("recvmsg(fd " + fd + ")");
            }
            int[] fds = new int[0];
            long controlLen = msg.getLong(40);
            if (controlLen >= 16 && control.getInt(8) == SOL_SOCKET && control.getInt(12) == SCM_RIGHTS) {
                int count = (int) ((control.getLong(0) - 16) / 4);
                count = Math.max(0, Math.min(count, MAX_FDS));
                fds = new int[count];
                for (int i = 0; i < count; i++) {
                    fds[i] = control.getInt(16 + 4L * i);
                }
            }
            return new Received(data.getByteArray(0, (int) n), fds);
        }
    }

    /** Shuts a socket down both ways: a thread blocked in accept or receive on it returns. */
    public void shutdown(int fd) {
        libc.shutdown(fd, 2);
    }

    /** Closes an fd, saying nothing when it fails. */
    public void closeQuietly(int fd) {
        if (fd >= 0) {
            libc.close(fd);
        }
    }

    static int pointerSize() {
        return Native.POINTER_SIZE;
    }
}
