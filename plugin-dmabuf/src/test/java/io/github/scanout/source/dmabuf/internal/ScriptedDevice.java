package io.github.scanout.source.dmabuf.internal;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.Errno;
import io.github.scanout.api.PlaneType;
import io.github.scanout.api.kernel.DeviceEndpoint;
import io.github.scanout.api.kernel.Kernel;
import io.github.scanout.api.kernel.Linux;
import io.github.scanout.api.kernel.Mapping;
import io.github.scanout.api.kernel.Vfio;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Test fixture: a simulated device seen through scripts that rewrite its answers, for answers
 * the sim's own scripting API cannot produce (hostile plane info, another region index, a
 * region without MMAP, mode changes on mdpy, whose mode is fixed).
 *
 * <p>It sits where a device endpoint plugs in ({@link DeviceEndpoint}/{@link Kernel}, public
 * api), so core's real struct encoding, decoding and validation run on the rewritten bytes:
 * the scripts edit the bytes of {@code vfio_device_gfx_plane_info} and
 * {@code vfio_region_info} at the offsets of ABI.md sections 2 and 3 after the simulated
 * driver has answered. It also records {@code DMA_BUF_IOCTL_SYNC} calls on dma-buf fds and can
 * fail {@code GET_GFX_DMABUF} calls.
 */
final class ScriptedDevice implements DeviceEndpoint {

    /** The fields of one plane answer, as the driver wrote them; a script may change any. */
    static final class Answer {
        int flags;
        int planeType;
        int format;
        long modifier;
        int width;
        int height;
        int stride;
        int size;
        int xPos;
        int yPos;
        int xHot;
        int yHot;
        int bufferId;

        static Answer read(ByteBuffer b) {
            Answer a = new Answer();
            a.flags = b.getInt(4);
            a.planeType = b.getInt(8);
            a.format = b.getInt(12);
            a.modifier = b.getLong(16);
            a.width = b.getInt(24);
            a.height = b.getInt(28);
            a.stride = b.getInt(32);
            a.size = b.getInt(36);
            a.xPos = b.getInt(40);
            a.yPos = b.getInt(44);
            a.xHot = b.getInt(48);
            a.yHot = b.getInt(52);
            a.bufferId = b.getInt(56);
            return a;
        }

        void write(ByteBuffer b) {
            b.putInt(4, flags).putInt(8, planeType).putInt(12, format).putLong(16, modifier).putInt(24, width)
                    .putInt(28, height).putInt(32, stride).putInt(36, size).putInt(40, xPos).putInt(44, yPos)
                    .putInt(48, xHot).putInt(52, yHot).putInt(56, bufferId);
        }

        /** The guest disabled the plane. */
        void disable() {
            format = 0;
            width = 0;
            height = 0;
            stride = 0;
            size = 0;
        }
    }

    /** Rewrites the answer to a (non-probe) plane query, or throws to fail the ioctl. */
    @FunctionalInterface
    interface PlaneScript {
        void rewrite(PlaneType plane, Answer answer) throws DeviceException;
    }

    /** The fields of one region answer a script may change. */
    static final class RegionAnswer {
        final int index;
        int flags;
        long size;

        RegionAnswer(int index, int flags, long size) {
            this.index = index;
            this.flags = flags;
            this.size = size;
        }
    }

    @FunctionalInterface
    interface RegionScript {
        void rewrite(RegionAnswer answer);
    }

    private final DeviceEndpoint inner;
    private final List<String> syncs = new CopyOnWriteArrayList<>();
    private final AtomicInteger getFailures = new AtomicInteger();
    private volatile Errno getErrno = Errno.ENOMEM;
    private volatile PlaneScript planes;
    private volatile RegionScript regions;
    private volatile long preadOffset = -1;
    private volatile long preadLength;

    ScriptedDevice(DeviceEndpoint inner) {
        this.inner = inner;
    }

    /** Rewrites plane answers from now on; null stops. */
    void planes(PlaneScript script) {
        planes = script;
    }

    /** Rewrites region answers from now on; null stops. */
    void regions(RegionScript script) {
        regions = script;
    }

    /**
     * Answers pread of device-fd bytes {@code [offset, offset + length)} from a mapping of them,
     * as a driver with a working pread would (the sim's mdpy reproduces the real driver's pread
     * bug, which ignores the offset).
     */
    void correctPread(long offset, long length) {
        preadLength = length;
        preadOffset = offset;
    }

    /**
     * {@code DMA_BUF_IOCTL_SYNC} calls on dma-buf fds so far, oldest first:
     * {@code "START|READ fd 42"} or {@code "END|READ fd 42"}.
     */
    List<String> syncs() {
        return List.copyOf(syncs);
    }

    void clearSyncs() {
        syncs.clear();
    }

    /** The next {@code n} {@code GET_GFX_DMABUF} calls fail with {@code errno} before the driver sees them. */
    void failGetDmabuf(int n, Errno errno) {
        getErrno = errno;
        getFailures.set(n);
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public OpenDevice open(Kernel host) throws DeviceException {
        OpenDevice od = inner.open(host);
        return new OpenDevice(new ScriptedKernel(od.kernel(), od.fd()), od.fd());
    }

    private final class ScriptedKernel implements Kernel {
        private final Kernel k;
        private final int deviceFd;
        private Mapping preadMapping;

        ScriptedKernel(Kernel k, int deviceFd) {
            this.k = k;
            this.deviceFd = deviceFd;
        }

        @Override
        public int ioctl(int fd, long request, ByteBuffer arg) throws DeviceException {
            if (fd != deviceFd && request == Linux.DMA_BUF_IOCTL_SYNC && arg != null) {
                long flags = arg.duplicate().order(ByteOrder.LITTLE_ENDIAN).getLong(0);
                String phase = (flags & Linux.DMA_BUF_SYNC_END) != 0 ? "END" : "START";
                long rw = flags & ~Linux.DMA_BUF_SYNC_END;
                String access = rw == Linux.DMA_BUF_SYNC_READ ? "READ" : "0x" + Long.toHexString(rw);
                int r = k.ioctl(fd, request, arg);
                syncs.add(phase + "|" + access + " fd " + fd);
                return r;
            }
            if (fd != deviceFd || arg == null) {
                return k.ioctl(fd, request, arg);
            }
            if (request == Vfio.DEVICE_GET_GFX_DMABUF && getFailures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new DeviceException("VFIO_DEVICE_GET_GFX_DMABUF (failure injected by the test)", getErrno.number());
            }
            ByteBuffer le = arg.duplicate().order(ByteOrder.LITTLE_ENDIAN);
            if (request == Vfio.DEVICE_QUERY_GFX_PLANE) {
                int flags = le.getInt(4);
                int type = le.getInt(8);
                int r = k.ioctl(fd, request, arg);
                PlaneScript script = planes;
                if ((flags & Vfio.GFX_PLANE_TYPE_PROBE) == 0 && script != null) {
                    Answer a = Answer.read(le);
                    script.rewrite(PlaneType.ofDrm(type), a);
                    a.write(le);
                }
                return r;
            }
            if (request == Vfio.DEVICE_GET_REGION_INFO) {
                int r = k.ioctl(fd, request, arg);
                RegionScript script = regions;
                if (script != null) {
                    RegionAnswer a = new RegionAnswer(le.getInt(8), le.getInt(4), le.getLong(16));
                    script.rewrite(a);
                    le.putInt(4, a.flags).putLong(16, a.size);
                }
                return r;
            }
            return k.ioctl(fd, request, arg);
        }

        @Override
        public int pread(int fd, ByteBuffer dst, long offset) throws DeviceException {
            long start = preadOffset;
            if (fd != deviceFd || start < 0 || offset < start || offset + dst.remaining() > start + preadLength) {
                return k.pread(fd, dst, offset);
            }
            synchronized (this) {
                if (preadMapping == null) {
                    preadMapping = k.mmap(preadLength, Linux.PROT_READ, Linux.MAP_SHARED, fd, start);
                }
                int n = dst.remaining();
                dst.put(preadMapping.view(offset - start, n));
                return n;
            }
        }

        @Override
        public void close(int fd) throws DeviceException {
            if (fd == deviceFd) {
                synchronized (this) {
                    if (preadMapping != null) {
                        k.munmap(preadMapping);
                        preadMapping = null;
                    }
                }
            }
            k.close(fd);
        }

        @Override
        public int open(String path, int flags) throws DeviceException {
            return k.open(path, flags);
        }

        @Override
        public int ioctl(int fd, long request, long value) throws DeviceException {
            return k.ioctl(fd, request, value);
        }

        @Override
        public int pwrite(int fd, ByteBuffer src, long offset) throws DeviceException {
            return k.pwrite(fd, src, offset);
        }

        @Override
        public long lseek(int fd, long offset, int whence) throws DeviceException {
            return k.lseek(fd, offset, whence);
        }

        @Override
        public int fcntl(int fd, int cmd, int arg) throws DeviceException {
            return k.fcntl(fd, cmd, arg);
        }

        @Override
        public int dup(int fd) throws DeviceException {
            return k.dup(fd);
        }

        @Override
        public int memfdCreate(String name, int flags) throws DeviceException {
            return k.memfdCreate(name, flags);
        }

        @Override
        public void ftruncate(int fd, long length) throws DeviceException {
            k.ftruncate(fd, length);
        }

        @Override
        public Mapping mmap(long length, int prot, int flags, int fd, long offset) throws DeviceException {
            return k.mmap(length, prot, flags, fd, offset);
        }

        @Override
        public void munmap(Mapping mapping) throws DeviceException {
            k.munmap(mapping);
        }
    }
}
