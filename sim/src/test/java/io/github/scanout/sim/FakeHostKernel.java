package io.github.scanout.sim;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.Errno;
import io.github.scanout.api.kernel.Kernel;
import io.github.scanout.api.kernel.Linux;
import io.github.scanout.api.kernel.Mapping;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;

/**
 * A host kernel in plain Java for the sim's unit tests: memfds are heap buffers, fds are
 * numbers from 100 up, mmap returns views of the buffer (so a mapping shows later writes), and
 * the fd table counts what is open. Anything that is not a memfd answers ENOENT, ENOTTY or
 * EBADF. Limitation: a memfd must be ftruncated to its final size before it is mapped, and a
 * mapping may not extend past the memfd's size (a real kernel would allow it and fault later).
 */
public final class FakeHostKernel implements Kernel {

    private static final class Memfd {
        final String name;
        ByteBuffer data = ByteBuffer.allocate(0);
        int size;

        Memfd(String name) {
            this.name = name;
        }
    }

    private static final class Fd {
        final Memfd file;
        boolean cloexec;

        Fd(Memfd file, boolean cloexec) {
            this.file = file;
            this.cloexec = cloexec;
        }
    }

    private final class FakeMapping implements Mapping {
        final long address;
        final long length;
        final ByteBuffer bytes;
        final boolean writable;
        boolean unmapped;

        FakeMapping(long address, long length, ByteBuffer bytes, boolean writable) {
            this.address = address;
            this.length = length;
            this.bytes = bytes;
            this.writable = writable;
        }

        @Override
        public long address() {
            return address;
        }

        @Override
        public long length() {
            return length;
        }

        @Override
        public ByteBuffer view(long offset, int len) {
            synchronized (FakeHostKernel.this) {
                if (unmapped) {
                    throw new IllegalStateException("view of an unmapped fake mapping");
                }
            }
            if (offset < 0 || len < 0 || offset + len > length) {
                throw new IndexOutOfBoundsException("view " + offset + "+" + len + " of a " + length + "-byte mapping");
            }
            ByteBuffer v = bytes.duplicate().position((int) offset).limit((int) offset + len).slice();
            return (writable ? v : v.asReadOnlyBuffer()).order(ByteOrder.LITTLE_ENDIAN);
        }
    }

    private final Map<Integer, Fd> fds = new HashMap<>();
    private int nextFd = 100;
    private long nextAddress = 0x7f00_0000_0000L;
    private int liveMappings;

    private static DeviceException err(String call, Errno e) {
        return new DeviceException("fake host: " + call, e.number());
    }

    private Fd fd(int fd, String call) throws DeviceException {
        Fd f = fds.get(fd);
        if (f == null) {
            throw err(call + " on fd " + fd, Errno.EBADF);
        }
        return f;
    }

    @Override
    public synchronized int open(String path, int flags) throws DeviceException {
        throw err("open " + path, Errno.ENOENT);
    }

    @Override
    public synchronized void close(int fd) throws DeviceException {
        fd(fd, "close");
        fds.remove(fd);
    }

    @Override
    public synchronized int ioctl(int fd, long request, ByteBuffer arg) throws DeviceException {
        fd(fd, "ioctl");
        throw err("ioctl 0x" + Long.toHexString(request) + " on a memfd", Errno.ENOTTY);
    }

    @Override
    public synchronized int ioctl(int fd, long request, long value) throws DeviceException {
        fd(fd, "ioctl");
        throw err("ioctl 0x" + Long.toHexString(request) + " on a memfd", Errno.ENOTTY);
    }

    @Override
    public synchronized int pread(int fd, ByteBuffer dst, long offset) throws DeviceException {
        Memfd m = fd(fd, "pread").file;
        if (offset < 0) {
            throw err("pread", Errno.EINVAL);
        }
        int n = (int) Math.max(0, Math.min(dst.remaining(), m.size - offset));
        for (int i = 0; i < n; i++) {
            dst.put(m.data.get((int) offset + i));
        }
        return n;
    }

    @Override
    public synchronized int pwrite(int fd, ByteBuffer src, long offset) throws DeviceException {
        Memfd m = fd(fd, "pwrite").file;
        if (offset < 0) {
            throw err("pwrite", Errno.EINVAL);
        }
        int n = src.remaining();
        if (offset + n > m.size) {
            resize(m, (int) offset + n);
        }
        for (int i = 0; i < n; i++) {
            m.data.put((int) offset + i, src.get());
        }
        return n;
    }

    @Override
    public synchronized long lseek(int fd, long offset, int whence) throws DeviceException {
        Memfd m = fd(fd, "lseek").file;
        return switch (whence) {
            case Linux.SEEK_SET -> offset;
            case Linux.SEEK_END -> m.size + offset;
            default -> throw err("lseek whence " + whence, Errno.EINVAL);
        };
    }

    @Override
    public synchronized int fcntl(int fd, int cmd, int arg) throws DeviceException {
        Fd f = fd(fd, "fcntl");
        if (cmd == Linux.F_GETFD) {
            return f.cloexec ? Linux.FD_CLOEXEC : 0;
        }
        if (cmd == Linux.F_SETFD) {
            f.cloexec = (arg & Linux.FD_CLOEXEC) != 0;
            return 0;
        }
        throw err("fcntl cmd " + cmd, Errno.EINVAL);
    }

    @Override
    public synchronized int dup(int fd) throws DeviceException {
        Fd f = fd(fd, "dup");
        int n = nextFd++;
        fds.put(n, new Fd(f.file, false));
        return n;
    }

    @Override
    public synchronized int memfdCreate(String name, int flags) throws DeviceException {
        int n = nextFd++;
        fds.put(n, new Fd(new Memfd(name), (flags & Linux.MFD_CLOEXEC) != 0));
        return n;
    }

    @Override
    public synchronized void ftruncate(int fd, long length) throws DeviceException {
        Memfd m = fd(fd, "ftruncate").file;
        if (length < 0 || length > Integer.MAX_VALUE) {
            throw err("ftruncate " + length, Errno.EINVAL);
        }
        resize(m, (int) length);
    }

    private static void resize(Memfd m, int length) {
        if (length > m.data.capacity()) {
            ByteBuffer bigger = ByteBuffer.allocate(length);
            bigger.put(0, m.data, 0, m.size);
            m.data = bigger;
        } else if (length < m.size) {
            for (int i = length; i < m.size; i++) {
                m.data.put(i, (byte) 0);
            }
        }
        m.size = length;
    }

    @Override
    public synchronized Mapping mmap(long length, int prot, int flags, int fd, long offset) throws DeviceException {
        Memfd m = fd(fd, "mmap").file;
        if (length <= 0 || offset < 0 || offset % Linux.PAGE_SIZE != 0 || (flags & 3) == 0) {
            throw err("mmap length " + length + " offset " + offset + " flags " + flags, Errno.EINVAL);
        }
        if (offset + length > m.size) {
            throw err("mmap past the end of the fake memfd " + m.name + " (fake limitation)", Errno.EINVAL);
        }
        ByteBuffer view = m.data.duplicate().position((int) offset).limit((int) (offset + length)).slice();
        long address = nextAddress;
        nextAddress += (length + Linux.PAGE_SIZE - 1) / Linux.PAGE_SIZE * Linux.PAGE_SIZE + Linux.PAGE_SIZE;
        liveMappings++;
        return new FakeMapping(address, length, view, (prot & Linux.PROT_WRITE) != 0);
    }

    @Override
    public synchronized void munmap(Mapping mapping) throws DeviceException {
        if (!(mapping instanceof FakeMapping fm) || fm.unmapped) {
            throw err("munmap of a mapping this fake did not make or already unmapped", Errno.EINVAL);
        }
        fm.unmapped = true;
        liveMappings--;
    }

    // ---- inspection for tests -------------------------------------------------------------------

    public synchronized int openFds() {
        return fds.size();
    }

    public synchronized int liveMappings() {
        return liveMappings;
    }

    public synchronized String name(int fd) {
        Fd f = fds.get(fd);
        return f == null ? null : f.file.name;
    }

    public synchronized boolean isOpen(int fd) {
        return fds.containsKey(fd);
    }

    public synchronized boolean cloexec(int fd) {
        return fds.get(fd).cloexec;
    }
}
