package io.github.scanout.sim;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.Errno;
import io.github.scanout.api.PlaneType;
import io.github.scanout.api.kernel.DeviceEndpoint;
import io.github.scanout.api.kernel.ForwardingKernel;
import io.github.scanout.api.kernel.Kernel;
import io.github.scanout.api.kernel.Linux;
import io.github.scanout.api.kernel.Mapping;
import io.github.scanout.api.kernel.Vfio;
import io.github.scanout.sim.internal.PlaneStruct;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Hooks for injecting hostile answers: a device endpoint (usually a {@link SimDevice}) seen
 * through scripts that rewrite its answers, for answers the sim's own scripting API cannot
 * produce (hostile plane info, another region index, a region without MMAP, mode changes on
 * mdpy, whose mode is fixed). For tests of plane sources, Scanout's and vendors' alike.
 *
 * <p>It sits where a device endpoint plugs in ({@link DeviceEndpoint}/{@link Kernel}), so the
 * embedding's real struct encoding, decoding and validation (core's, when opened with
 * {@code Devices.open(endpoint)}) run on the rewritten bytes: the scripts edit the bytes of
 * {@code vfio_device_gfx_plane_info} and {@code vfio_region_info} at the offsets of docs/abi.md
 * sections 2 and 3 after the wrapped driver has answered. It also records
 * {@code DMA_BUF_IOCTL_SYNC} calls on dma-buf fds and can fail {@code GET_GFX_DMABUF} calls
 * before the driver sees them. Everything else goes to the wrapped endpoint's kernel unchanged.
 *
 * <p>Threads: every method may be called from any thread; a script set from one thread takes
 * effect for the next system call on any thread. Scripts run on the thread that makes the
 * ioctl (the capture thread of a plane session) and must not block.
 */
public final class ScriptedDevice implements DeviceEndpoint {

    /**
     * The fields of one plane answer ({@code struct vfio_device_gfx_plane_info}), as the driver
     * wrote them; a script may change any, to any value, in range or not.
     */
    public static final class Answer {
        /** {@code flags}: the buffer type bits the query asked for. */
        public int flags;
        /** {@code drm_plane_type}: 1 primary, 2 cursor. */
        public int planeType;
        /** {@code drm_format}: a DRM fourcc, 0 when the plane is disabled. */
        public int format;
        /** {@code drm_format_mod}. */
        public long modifier;
        /** {@code width} in pixels. */
        public int width;
        /** {@code height} in rows. */
        public int height;
        /** {@code stride}: bytes from one row to the next. */
        public int stride;
        /** {@code size}: unsigned in the kernel struct. */
        public int size;
        /** {@code x_pos}: unsigned in the struct; Scanout reads a cursor position as signed. */
        public int xPos;
        /** {@code y_pos}: as {@link #xPos}. */
        public int yPos;
        /** {@code x_hot}: unsigned; 0xFFFFFFFF means "no hotspot". */
        public int xHot;
        /** {@code y_hot}: unsigned; 0xFFFFFFFF means "no hotspot". */
        public int yHot;
        /** {@code dmabuf_id} or {@code region_index}, the union at offset 56. */
        public int bufferId;

        private Answer() {}

        static Answer read(ByteBuffer b) {
            Answer a = new Answer();
            a.flags = b.getInt(PlaneStruct.FLAGS);
            a.planeType = b.getInt(PlaneStruct.DRM_PLANE_TYPE);
            a.format = b.getInt(PlaneStruct.DRM_FORMAT);
            a.modifier = b.getLong(PlaneStruct.DRM_FORMAT_MOD);
            a.width = b.getInt(PlaneStruct.WIDTH);
            a.height = b.getInt(PlaneStruct.HEIGHT);
            a.stride = b.getInt(PlaneStruct.STRIDE);
            a.size = b.getInt(PlaneStruct.SIZE);
            a.xPos = b.getInt(PlaneStruct.X_POS);
            a.yPos = b.getInt(PlaneStruct.Y_POS);
            a.xHot = b.getInt(PlaneStruct.X_HOT);
            a.yHot = b.getInt(PlaneStruct.Y_HOT);
            a.bufferId = b.getInt(PlaneStruct.BUFFER_ID);
            return a;
        }

        void write(ByteBuffer b) {
            b.putInt(PlaneStruct.FLAGS, flags).putInt(PlaneStruct.DRM_PLANE_TYPE, planeType)
                    .putInt(PlaneStruct.DRM_FORMAT, format).putLong(PlaneStruct.DRM_FORMAT_MOD, modifier)
                    .putInt(PlaneStruct.WIDTH, width).putInt(PlaneStruct.HEIGHT, height)
                    .putInt(PlaneStruct.STRIDE, stride).putInt(PlaneStruct.SIZE, size)
                    .putInt(PlaneStruct.X_POS, xPos).putInt(PlaneStruct.Y_POS, yPos)
                    .putInt(PlaneStruct.X_HOT, xHot).putInt(PlaneStruct.Y_HOT, yHot)
                    .putInt(PlaneStruct.BUFFER_ID, bufferId);
        }

        /**
         * Sets a field by its index in struct order, as fuzz targets choose them: 0 flags,
         * 1 planeType, 2 format, 3 modifier, 4 width, 5 height, 6 stride, 7 size, 8 xPos, 9 yPos,
         * 10 xHot, 11 yHot, 12 bufferId; the 32-bit fields take the low 32 bits of {@code value}.
         *
         * @throws IllegalArgumentException for an index outside 0 to 12
         */
        public void set(int field, long value) {
            int v = (int) value;
            switch (field) {
                case 0 -> flags = v;
                case 1 -> planeType = v;
                case 2 -> format = v;
                case 3 -> modifier = value;
                case 4 -> width = v;
                case 5 -> height = v;
                case 6 -> stride = v;
                case 7 -> size = v;
                case 8 -> xPos = v;
                case 9 -> yPos = v;
                case 10 -> xHot = v;
                case 11 -> yHot = v;
                case 12 -> bufferId = v;
                default -> throw new IllegalArgumentException("a plane answer has fields 0 to 12, not " + field);
            }
        }

        /** Makes this the answer for a plane the guest disabled (format, size and layout 0). */
        public void disable() {
            format = 0;
            width = 0;
            height = 0;
            stride = 0;
            size = 0;
        }
    }

    /** Rewrites the answer to a (non-probe) plane query, or throws to fail the ioctl. */
    @FunctionalInterface
    public interface PlaneScript {
        /**
         * @param plane the plane type the query asked for
         * @param answer the driver's answer, to change in place
         * @throws DeviceException to fail the ioctl instead (after the driver answered)
         */
        void rewrite(PlaneType plane, Answer answer) throws DeviceException;
    }

    /** The fields of one region answer ({@code struct vfio_region_info}) a script may change. */
    public static final class RegionAnswer {
        /** The region the query asked for. */
        public final int index;
        /** {@code flags}: {@link Vfio#REGION_INFO_FLAG_READ} and friends. */
        public int flags;
        /** {@code size} in bytes. */
        public long size;

        private RegionAnswer(int index, int flags, long size) {
            this.index = index;
            this.flags = flags;
            this.size = size;
        }
    }

    /** Rewrites the answer to a {@code GET_REGION_INFO} query. */
    @FunctionalInterface
    public interface RegionScript {
        /** @param answer the driver's answer, to change in place */
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

    /** @param inner the device whose answers the scripts rewrite */
    public ScriptedDevice(DeviceEndpoint inner) {
        this.inner = Objects.requireNonNull(inner, "inner");
    }

    /** Rewrites plane answers from now on; null stops. Any thread. */
    public void planes(PlaneScript script) {
        planes = script;
    }

    /** Rewrites region answers from now on; null stops. Any thread. */
    public void regions(RegionScript script) {
        regions = script;
    }

    /**
     * Answers pread of device-fd bytes {@code [offset, offset + length)} from a mapping of them,
     * as a driver with a working pread would (the sim's mdpy reproduces the real driver's pread
     * bug, which ignores the offset). Any thread; the mapping is made on first use and unmapped
     * when the device fd closes.
     */
    public void correctPread(long offset, long length) {
        preadLength = length;
        preadOffset = offset;
    }

    /**
     * {@code DMA_BUF_IOCTL_SYNC} calls on dma-buf fds so far, oldest first:
     * {@code "START|READ fd 42"} or {@code "END|READ fd 42"}. Any thread.
     */
    public List<String> syncs() {
        return List.copyOf(syncs);
    }

    /** Forgets the recorded {@code DMA_BUF_IOCTL_SYNC} calls. Any thread. */
    public void clearSyncs() {
        syncs.clear();
    }

    /**
     * The next {@code n} {@code GET_GFX_DMABUF} calls fail with {@code errno} before the driver
     * sees them. Any thread.
     */
    public void failGetDmabuf(int n, Errno errno) {
        getErrno = Objects.requireNonNull(errno, "errno");
        getFailures.set(n);
    }

    /** The wrapped device's name. */
    @Override
    public String name() {
        return inner.name();
    }

    /** Opens the wrapped device and puts the scripts between its kernel and the caller. */
    @Override
    public OpenDevice open(Kernel host) throws DeviceException {
        OpenDevice od = inner.open(host);
        return new OpenDevice(new ScriptedKernel(od.kernel(), od.fd()), od.fd());
    }

    @Override
    public String toString() {
        return "ScriptedDevice[" + inner.name() + "]";
    }

    private final class ScriptedKernel extends ForwardingKernel {
        private final int deviceFd;
        private Mapping preadMapping;

        ScriptedKernel(Kernel k, int deviceFd) {
            super(k);
            this.deviceFd = deviceFd;
        }

        @Override
        public int ioctl(int fd, long request, ByteBuffer arg) throws DeviceException {
            if (fd != deviceFd && request == Linux.DMA_BUF_IOCTL_SYNC && arg != null) {
                long flags = arg.duplicate().order(ByteOrder.LITTLE_ENDIAN).getLong(0);
                String phase = (flags & Linux.DMA_BUF_SYNC_END) != 0 ? "END" : "START";
                long rw = flags & ~Linux.DMA_BUF_SYNC_END;
                String access = rw == Linux.DMA_BUF_SYNC_READ ? "READ" : "0x" + Long.toHexString(rw);
                int r = delegate.ioctl(fd, request, arg);
                syncs.add(phase + "|" + access + " fd " + fd);
                return r;
            }
            if (fd != deviceFd || arg == null) {
                return delegate.ioctl(fd, request, arg);
            }
            if (request == Vfio.DEVICE_GET_GFX_DMABUF && getFailures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new DeviceException("VFIO_DEVICE_GET_GFX_DMABUF (failure injected by the test)", getErrno.number());
            }
            ByteBuffer le = arg.duplicate().order(ByteOrder.LITTLE_ENDIAN);
            if (request == Vfio.DEVICE_QUERY_GFX_PLANE) {
                int flags = le.getInt(PlaneStruct.FLAGS);
                int type = le.getInt(PlaneStruct.DRM_PLANE_TYPE);
                int r = delegate.ioctl(fd, request, arg);
                PlaneScript script = planes;
                if ((flags & Vfio.GFX_PLANE_TYPE_PROBE) == 0 && script != null) {
                    Answer a = Answer.read(le);
                    script.rewrite(PlaneType.ofDrm(type), a);
                    a.write(le);
                }
                return r;
            }
            if (request == Vfio.DEVICE_GET_REGION_INFO) {
                int r = delegate.ioctl(fd, request, arg);
                RegionScript script = regions;
                if (script != null) {
                    RegionAnswer a = new RegionAnswer(le.getInt(PlaneStruct.RI_INDEX), le.getInt(PlaneStruct.RI_FLAGS),
                            le.getLong(PlaneStruct.RI_SIZE));
                    script.rewrite(a);
                    le.putInt(PlaneStruct.RI_FLAGS, a.flags).putLong(PlaneStruct.RI_SIZE, a.size);
                }
                return r;
            }
            return delegate.ioctl(fd, request, arg);
        }

        @Override
        public int pread(int fd, ByteBuffer dst, long offset) throws DeviceException {
            long start = preadOffset;
            if (fd != deviceFd || start < 0 || offset < start || offset + dst.remaining() > start + preadLength) {
                return delegate.pread(fd, dst, offset);
            }
            synchronized (this) {
                if (preadMapping == null) {
                    preadMapping = delegate.mmap(preadLength, Linux.PROT_READ, Linux.MAP_SHARED, fd, start);
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
                        delegate.munmap(preadMapping);
                        preadMapping = null;
                    }
                }
            }
            delegate.close(fd);
        }
    }
}
