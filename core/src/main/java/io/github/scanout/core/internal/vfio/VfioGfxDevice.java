package io.github.scanout.core.internal.vfio;

import io.github.scanout.api.BufferType;
import io.github.scanout.api.DeviceException;
import io.github.scanout.api.Errno;
import io.github.scanout.api.InvalidPlaneException;
import io.github.scanout.api.PlaneInfo;
import io.github.scanout.api.PlaneType;
import io.github.scanout.api.device.DeviceInfo;
import io.github.scanout.api.device.DmaBuf;
import io.github.scanout.api.device.EdidRegion;
import io.github.scanout.api.device.GfxDevice;
import io.github.scanout.api.device.MappedMemory;
import io.github.scanout.api.device.RegionInfo;
import io.github.scanout.api.kernel.Kernel;
import io.github.scanout.api.kernel.Linux;
import io.github.scanout.api.kernel.Mapping;
import io.github.scanout.api.kernel.Vfio;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A VFIO device fd as a {@link GfxDevice}: struct encoding, the ioctl, decoding and validation
 * ({@link PlaneValidator}) for every query, owned fds and bounded mappings for everything it
 * hands out. Works the same over the real kernel ({@code LibcKernel}) and over a simulated
 * device's kernel.
 *
 * <p>Threads: any thread may call; calls are serialised by one lock per device, as the VFIO
 * drivers serialise them. {@link #close()} is idempotent and closes the device fd, then the fds
 * it depends on (group and container, or iommufd).
 */
public final class VfioGfxDevice implements GfxDevice {

    private static final System.Logger LOG = System.getLogger(VfioGfxDevice.class.getName());

    /** Region indices scanned for the EDID region: at least this many... */
    static final int EDID_SCAN_MIN = 32;
    /** ...and never more than this many, whatever num_regions says. */
    static final int EDID_SCAN_MAX = 64;

    @FunctionalInterface
    private interface Call<T> {
        T run() throws DeviceException;
    }

    private final Kernel kernel;
    private final int fd;
    private final String name;
    private final DeviceInfo info;
    private final AutoCloseable owner;
    /**
     * The device's monitor. A {@code ReentrantLock} cost an unchanged two-plane poll about 60 ns
     * more (0.33 against 0.27 us, JMH, 2026-12-07): an uncontended monitor is cheaper to take.
     */
    private final Object lock = new Object();
    private boolean closed;
    /** Why the device is gone for good (its VMM exited), or null; set by any thread. */
    private volatile String goneReason;
    /** {@link System#nanoTime()} when it was marked gone. */
    private volatile long goneAt;

    // per-device poll state, under the lock: the argument memory of VFIO_DEVICE_QUERY_GFX_PLANE,
    // allocated once (direct, so the kernel call copies nothing), and per (buffer type, plane) the
    // last answer and what it validated to
    private final ByteBuffer queryArg = ByteBuffer.allocateDirect(GfxPlaneInfoCodec.SIZE).order(ByteOrder.LITTLE_ENDIAN);
    /** Bytes 0..59 of {@link #queryArg}: what a driver fills in. */
    private final ByteBuffer answer =
            queryArg.duplicate().limit(GfxPlaneInfoCodec.DECODED_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    private final Answer[] answers = new Answer[4 * PlaneType.values().length];
    /** VFIO_DEVICE_GET_REGION_INFO answers by region index, for the plane check of every region poll; dropped on reset. */
    private final Map<Integer, RegionInfo> regions = new HashMap<>();

    /** The last answer to one kind of plane query, and its validated plane. */
    private static final class Answer {
        final int flags;
        final PlaneType plane;
        final ByteBuffer bytes = ByteBuffer.allocate(GfxPlaneInfoCodec.DECODED_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        Optional<PlaneInfo> result;

        Answer(int flags, PlaneType plane) {
            this.flags = flags;
            this.plane = plane;
        }
    }

    private VfioGfxDevice(Kernel kernel, int fd, String name, DeviceInfo info, AutoCloseable owner) {
        this.kernel = kernel;
        this.fd = fd;
        this.name = name;
        this.info = info;
        this.owner = owner;
    }

    /**
     * Takes ownership of an open device fd (and of {@code owner}, the fds it depends on) and
     * reads {@code VFIO_DEVICE_GET_INFO}. On any failure both are closed before the exception
     * leaves.
     *
     * @param kernel the kernel every call on {@code fd} goes through
     * @param name how the device was named, for {@link #name()} and messages
     * @param owner closed after the device fd, or null
     */
    public static VfioGfxDevice open(Kernel kernel, int fd, String name, AutoCloseable owner) throws DeviceException {
        Objects.requireNonNull(kernel, "kernel");
        Objects.requireNonNull(name, "name");
        try {
            ByteBuffer b = DeviceInfoCodec.query();
            try {
                kernel.ioctl(fd, Vfio.DEVICE_GET_INFO, b);
            } catch (DeviceException e) {
                throw new DeviceException("VFIO_DEVICE_GET_INFO on " + name, e);
            }
            return new VfioGfxDevice(kernel, fd, name, DeviceInfoCodec.decode(b), owner);
        } catch (Throwable t) {
            Fds.closeQuietly(kernel, fd, "device fd of " + name, t);
            closeOwner(owner, t);
            throw t;
        }
    }

    private static void closeOwner(AutoCloseable owner, Throwable cause) {
        if (owner == null) {
            return;
        }
        try {
            owner.close();
        } catch (Exception e) {
            if (cause != null) {
                cause.addSuppressed(e);
            } else {
                LOG.log(System.Logger.Level.WARNING, "closing the fds behind a device failed: " + e.getMessage());
            }
        }
    }

    private <T> T locked(Call<T> call) throws DeviceException {
        synchronized (lock) {
            checkUsable();
            return call.run();
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public DeviceInfo info() {
        return info;
    }

    /** The device fd (for tests and diagnostics; it belongs to this object). */
    public int fd() {
        return fd;
    }

    @Override
    public boolean probe(BufferType type) throws DeviceException {
        Objects.requireNonNull(type, "type");
        return locked(() -> {
            ByteBuffer b = GfxPlaneInfoCodec.query(BufferType.PROBE_FLAG | type.flag(), PlaneType.PRIMARY);
            try {
                kernel.ioctl(fd, Vfio.DEVICE_QUERY_GFX_PLANE, b);
                return true;
            } catch (DeviceException e) {
                if (e.is(Errno.EINVAL)) {
                    return false;
                }
                throw new DeviceException("probing " + type + " planes of " + name, e);
            }
        });
    }

    /**
     * Queries a plane. The argument memory is the device's own (allocated once). An answer whose 60
     * bytes equal the last answer to the same query was decoded, validated and (for a region)
     * checked against its region before, with the same outcome: the plane of that time is returned
     * again without doing it twice. So an unchanged poll is the ioctl and a 60-byte comparison.
     * (An answer that failed validation is never kept, so it fails again.)
     */
    @Override
    public Optional<PlaneInfo> queryPlane(BufferType type, PlaneType plane) throws DeviceException {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(plane, "plane");
        synchronized (lock) {
            checkUsable();
            int flags = type.flag();
            ByteBuffer b = queryArg;
            b.clear();
            GfxPlaneInfoCodec.fillQuery(b, flags, plane);
            try {
                kernel.ioctl(fd, Vfio.DEVICE_QUERY_GFX_PLANE, b);
            } catch (DeviceException e) {
                throw new DeviceException("querying the " + lower(plane) + " plane (" + type + ") of " + name, e);
            }
            Answer last = answerSlot(flags, plane);
            if (last.result != null && sameAnswer(answer, last.bytes)) {
                return last.result;
            }
            last.result = null;
            Optional<PlaneInfo> p = PlaneValidator.validate(GfxPlaneInfoCodec.decode(b), type, plane, name);
            if (p.isPresent() && type.equals(BufferType.REGION)) {
                checkRegion(p.get());
            }
            last.bytes.clear();
            last.bytes.put(answer.duplicate());
            last.result = p;
            return p;
        }
    }

    /**
     * Whether the first 60 bytes of two answers are equal: seven longs and four bytes, absolute
     * (for so few bytes cheaper than {@link ByteBuffer#mismatch}, a few percent of an unchanged
     * poll). Both buffers must have the same byte order (a duplicate's is big-endian again).
     */
    static boolean sameAnswer(ByteBuffer a, ByteBuffer b) {
        if (a.order() != b.order()) {
            throw new IllegalArgumentException("answers of different byte orders");
        }
        int i = 0;
        for (; i + Long.BYTES <= GfxPlaneInfoCodec.DECODED_SIZE; i += Long.BYTES) {
            if (a.getLong(i) != b.getLong(i)) {
                return false;
            }
        }
        for (; i < GfxPlaneInfoCodec.DECODED_SIZE; i++) {
            if (a.get(i) != b.get(i)) {
                return false;
            }
        }
        return true;
    }

    /** The slot of the last answer to this query: one per plane type and buffer-type flag (few). */
    private Answer answerSlot(int flags, PlaneType plane) {
        for (int i = 0; i < answers.length; i++) {
            Answer a = answers[i];
            if (a == null) {
                a = new Answer(flags, plane);
                answers[i] = a;
                return a;
            }
            if (a.flags == flags && a.plane == plane) {
                return a;
            }
        }
        // more kinds of query than slots (not done by Scanout's sources): reuse the first slot
        Answer a = new Answer(flags, plane);
        answers[0] = a;
        return a;
    }

    private void checkUsable() throws DeviceException {
        if (closed) {
            throw new DeviceException(name + " is closed", Errno.EBADF.number());
        }
        String gone = goneReason;
        if (gone != null) {
            throw new DeviceException(gone, Errno.ENODEV.number());
        }
    }

    /** {@code docs/abi.md} rule 7: the plane's region exists, is readable, and holds the plane's size. */
    private void checkRegion(PlaneInfo p) throws DeviceException {
        long index = p.bufferId();
        if (index > Integer.MAX_VALUE) {
            throw new InvalidPlaneException(regionLabel(p), "region_index", Long.toString(index),
                    "a region index is below 2^31");
        }
        RegionInfo region = regions.get((int) index);
        try {
            if (region == null) {
                region = RegionInfoQuery.query(kernel, fd, (int) index, name);
                regions.put((int) index, region);
            }
        } catch (DeviceException e) {
            if (e.is(Errno.EINVAL) || e.is(Errno.ENOENT)) {
                throw new InvalidPlaneException(regionLabel(p), "region_index", Long.toString(index),
                        "region_index names a region of the device (VFIO_DEVICE_GET_REGION_INFO answered "
                                + Errno.name(e.errno()) + ")");
            }
            throw e;
        }
        if (!region.readable()) {
            throw new InvalidPlaneException(regionLabel(p), "region_index", Long.toString(index),
                    "the plane's region is readable (" + region + ")");
        }
        if (p.size() > region.size()) {
            throw new InvalidPlaneException(regionLabel(p), "size", Long.toString(p.size()),
                    "size <= the size of region " + index + " (" + region.size() + " bytes)");
        }
    }

    /** What a message about a region plane names (built only for a message: checkRegion runs on every poll). */
    private String regionLabel(PlaneInfo p) {
        return name + " " + lower(p.type()) + " plane (region)";
    }

    @Override
    public DmaBuf openDmaBuf(PlaneInfo plane) throws DeviceException {
        Objects.requireNonNull(plane, "plane");
        if (!plane.bufferType().equals(BufferType.DMABUF)) {
            throw new IllegalArgumentException("not a dma-buf plane: " + plane);
        }
        return locked(() -> {
            String label = "dma-buf " + plane.bufferId() + " of " + name;
            ByteBuffer arg = Le.allocate(4);
            Le.putU32(arg, 0, plane.bufferId());
            int dmaFd;
            try {
                dmaFd = kernel.ioctl(fd, Vfio.DEVICE_GET_GFX_DMABUF, arg);
            } catch (DeviceException e) {
                throw new DeviceException("VFIO_DEVICE_GET_GFX_DMABUF for " + label, e);
            }
            try {
                Fds.setCloexec(kernel, dmaFd, label);
                long size;
                try {
                    size = kernel.lseek(dmaFd, 0, Linux.SEEK_END);
                } catch (DeviceException e) {
                    throw new DeviceException("finding the size of " + label, e);
                }
                long needed = plane.requiredBytes();
                if (size < needed) {
                    throw new DeviceException(label + " holds " + size + " bytes but the layout of " + plane + " needs " + needed);
                }
                return new VfioDmaBuf(kernel, dmaFd, size, label);
            } catch (Throwable t) {
                Fds.closeQuietly(kernel, dmaFd, label, t);
                throw t;
            }
        });
    }

    @Override
    public RegionInfo regionInfo(int index) throws DeviceException {
        return locked(() -> RegionInfoQuery.query(kernel, fd, index, name));
    }

    @Override
    public MappedMemory mapRegion(int index) throws DeviceException {
        return map(index, false);
    }

    /**
     * Maps a whole region read-write and shared, for tests that play the guest (drawing into
     * mbochs VRAM, for example). Not part of {@link GfxDevice}: plane sources only read.
     */
    public VfioMappedMemory mapRegionReadWrite(int index) throws DeviceException {
        return map(index, true);
    }

    private VfioMappedMemory map(int index, boolean write) throws DeviceException {
        return locked(() -> {
            RegionInfo r = RegionInfoQuery.query(kernel, fd, index, name);
            String what = "region " + index + " of " + name;
            if (!r.readable()) {
                throw new DeviceException("cannot map " + what + ": it is not readable (" + r + ")");
            }
            if (write && !r.writable()) {
                throw new DeviceException("cannot map " + what + " read-write: it is not writable (" + r + ")");
            }
            if (!r.mappable()) {
                throw new DeviceException("cannot map " + what + ": it does not support mmap (" + r + "); read it with pread");
            }
            if (r.size() == 0) {
                throw new DeviceException("cannot map " + what + ": it is empty");
            }
            int prot = write ? Linux.PROT_READ | Linux.PROT_WRITE : Linux.PROT_READ;
            Mapping m;
            try {
                m = kernel.mmap(r.size(), prot, Linux.MAP_SHARED, fd, r.offset());
            } catch (DeviceException e) {
                throw new DeviceException("mapping " + what + (write ? " read-write" : " read-only"), e);
            }
            return new VfioMappedMemory(kernel, m, write, "mapping of " + what);
        });
    }

    @Override
    public void readRegion(int index, long offset, ByteBuffer dst) throws DeviceException {
        Objects.requireNonNull(dst, "dst");
        locked(() -> {
            RegionInfo r = RegionInfoQuery.query(kernel, fd, index, name);
            String what = "region " + index + " of " + name;
            if (!r.readable()) {
                throw new DeviceException("cannot read " + what + ": it is not readable (" + r + ")");
            }
            long pos = start(r, offset, dst.remaining(), what);
            while (dst.hasRemaining()) {
                int n;
                try {
                    n = kernel.pread(fd, dst, pos);
                } catch (DeviceException e) {
                    throw new DeviceException("reading " + what + " at offset " + (pos - r.offset()), e);
                }
                if (n <= 0) {
                    throw new DeviceException("reading " + what + ": the device returned no data at offset " + (pos - r.offset()));
                }
                pos += n;
            }
            return null;
        });
    }

    @Override
    public void writeRegion(int index, long offset, ByteBuffer src) throws DeviceException {
        Objects.requireNonNull(src, "src");
        locked(() -> {
            RegionInfo r = RegionInfoQuery.query(kernel, fd, index, name);
            String what = "region " + index + " of " + name;
            if (!r.writable()) {
                throw new DeviceException("cannot write " + what + ": it is not writable (" + r + ")");
            }
            long pos = start(r, offset, src.remaining(), what);
            while (src.hasRemaining()) {
                int n;
                try {
                    n = kernel.pwrite(fd, src, pos);
                } catch (DeviceException e) {
                    throw new DeviceException("writing " + what + " at offset " + (pos - r.offset()), e);
                }
                if (n <= 0) {
                    throw new DeviceException("writing " + what + ": the device took no data at offset " + (pos - r.offset()));
                }
                pos += n;
            }
            return null;
        });
    }

    /** The device-fd offset of {@code offset} in the region, after checking the range lies inside it. */
    private static long start(RegionInfo r, long offset, int length, String what) throws DeviceException {
        if (offset < 0 || offset > r.size() || length > r.size() - offset) {
            throw new DeviceException(length + " bytes at offset " + offset + " lie outside " + what + " ("
                    + r.size() + " bytes)");
        }
        try {
            return Math.addExact(r.offset(), offset);
        } catch (ArithmeticException e) {
            throw new DeviceException(what + ": offset " + offset + " overflows the device fd offset " + r.offset());
        }
    }

    @Override
    public Optional<EdidRegion> edid() throws DeviceException {
        return locked(() -> {
            int limit = Math.min(EDID_SCAN_MAX, Math.max(EDID_SCAN_MIN, info.numRegions() + 8));
            for (int i = 0; i < limit; i++) {
                RegionInfo r;
                try {
                    r = RegionInfoQuery.query(kernel, fd, i, name);
                } catch (DeviceException e) {
                    if (e.is(Errno.EINVAL)) {
                        continue;
                    }
                    throw e;
                }
                if (r.type().map(RegionInfo.RegionType::isEdid).orElse(false)) {
                    return Optional.<EdidRegion>of(new VfioEdidRegion(this, r));
                }
            }
            return Optional.<EdidRegion>empty();
        });
    }

    @Override
    public void reset() throws DeviceException {
        locked(() -> {
            // what a region holds and what the planes are may change with a reset
            regions.clear();
            java.util.Arrays.fill(answers, null);
            try {
                kernel.ioctl(fd, Vfio.DEVICE_RESET, 0L);
            } catch (DeviceException e) {
                throw new DeviceException("VFIO_DEVICE_RESET on " + name, e);
            }
            return null;
        });
    }

    /**
     * Marks the device gone for good (a borrowed device whose VMM exited): every later call
     * fails with ENODEV and this reason, so its user releases it as it releases a vanished
     * device. Only the first reason counts.
     */
    public void markGone(String reason) {
        Objects.requireNonNull(reason, "reason");
        if (goneReason == null) {
            goneAt = System.nanoTime();
            goneReason = reason;
        }
    }

    /** Whether {@link #close()} has run. */
    public boolean isClosed() {
        synchronized (lock) {
            return closed;
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            Fds.closeQuietly(kernel, fd, "device fd of " + name, null);
            closeOwner(owner, null);
            if (goneReason != null) {
                LOG.log(System.Logger.Level.INFO, name + ": closed the device fd "
                        + (System.nanoTime() - goneAt) / 1_000_000 + " ms after " + goneReason);
            }
        }
    }

    private static String lower(PlaneType t) {
        return t.name().toLowerCase(java.util.Locale.ROOT);
    }

    @Override
    public String toString() {
        return "VfioGfxDevice[" + name + ", fd " + fd + (isClosed() ? ", closed]" : "]");
    }
}
