package io.github.scanout.sim;

import io.github.scanout.api.BufferType;
import io.github.scanout.api.DeviceException;
import io.github.scanout.api.Errno;
import io.github.scanout.api.PlaneType;
import io.github.scanout.api.kernel.DeviceEndpoint;
import io.github.scanout.api.kernel.ForwardingKernel;
import io.github.scanout.api.kernel.DeviceProvider;
import io.github.scanout.api.kernel.Kernel;
import io.github.scanout.api.kernel.Linux;
import io.github.scanout.api.kernel.Mapping;
import io.github.scanout.api.kernel.Vfio;
import io.github.scanout.sim.internal.PlaneStruct;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A simulated device that offers one more buffer type than its driver: a {@link SimDevice} with a
 * vendor's {@link SimBufferType} added below the struct marshalling, so a vendor's plane source
 * is tested through the same decoding and validation as on a real vGPU. The added type's plane
 * queries and its region are answered as {@link SimBufferType} describes; everything else
 * (the wrapped driver's own buffer types, regions, EDID, failure injection, vanishing) is the
 * wrapped device's.
 *
 * <p>{@link #provider} makes such devices reachable by spec ({@code ring:mdpy-xga}) through a
 * {@link DeviceProvider} that a vendor bundle registers, so the simulated device can be
 * configured in a running Scanout like any other.
 *
 * <p>Injected failures ({@link SimDevice#failNext}) reach only the calls the wrapped driver
 * answers; once the device {@linkplain SimDevice#vanish() vanished} every call fails with ENODEV,
 * the added ones included.
 *
 * <p>Threads: as {@link SimDevice}; the region memory of one open is guarded by that open.
 */
public final class ExtendedDevice implements DeviceEndpoint {
    private final String name;
    private final SimDevice guest;
    private final SimBufferType type;
    private final SimBufferType.Region region;
    private final int flag;

    private ExtendedDevice(String name, SimDevice guest, SimBufferType type) {
        this.name = Objects.requireNonNull(name, "name");
        this.guest = Objects.requireNonNull(guest, "guest");
        this.type = Objects.requireNonNull(type, "type");
        BufferType t = Objects.requireNonNull(type.bufferType(), "bufferType()");
        if (t.flag() == PlaneStruct.DMABUF || t.flag() == PlaneStruct.REGION) {
            throw new IllegalArgumentException("buffer type " + t + " uses the kernel's flag 0x"
                    + Integer.toHexString(t.flag()) + "; a vendor type needs a bit of its own (8 and above)");
        }
        this.flag = t.flag();
        this.region = Objects.requireNonNull(type.region(guest), "region()");
    }

    /** {@code guest} offering {@code type} as well, named as {@code guest} is. */
    public static ExtendedDevice of(SimDevice guest, SimBufferType type) {
        return new ExtendedDevice(guest.name(), guest, type);
    }

    /** {@code guest} offering {@code type} as well, named {@code name} (the spec it was resolved from). */
    public static ExtendedDevice of(String name, SimDevice guest, SimBufferType type) {
        return new ExtendedDevice(name, guest, type);
    }

    /**
     * A device provider for scheme {@code scheme}: {@code scheme:DEVICE[?OPTIONS]} is the
     * simulated device {@code sim:DEVICE[?OPTIONS]} (see {@link SimDevices}, animated unless the
     * spec says {@code animate=false}) offering {@code type} as well. The same spec gives the same
     * device while the provider lives.
     *
     * @param scheme lower-case letters, digits and dashes, not {@code sim}
     */
    public static DeviceProvider provider(String scheme, SimBufferType type) {
        Objects.requireNonNull(type, "type");
        if (!scheme.matches("[a-z][a-z0-9-]*") || scheme.equals("sim")) {
            throw new IllegalArgumentException("a scheme is lower-case letters, digits and dashes, not 'sim'; got '"
                    + scheme + "'");
        }
        Map<String, ExtendedDevice> devices = new ConcurrentHashMap<>();
        return new DeviceProvider() {
            @Override
            public String scheme() {
                return scheme;
            }

            @Override
            public DeviceEndpoint resolve(String spec) throws DeviceException {
                ExtendedDevice known = devices.get(spec);
                if (known != null) {
                    return known;
                }
                String prefix = scheme + ":";
                if (!spec.toLowerCase(Locale.ROOT).startsWith(prefix)) {
                    throw new DeviceException("device spec '" + spec + "' does not start with " + prefix);
                }
                SimDevice guest;
                try {
                    guest = SimDevices.create("sim:" + spec.substring(prefix.length()), true);
                } catch (DeviceException e) {
                    throw new DeviceException(spec + ": " + e.getMessage() + " (" + prefix + " takes what follows sim:)",
                            e.errno(), e);
                }
                ExtendedDevice created = new ExtendedDevice(spec, guest, type);
                ExtendedDevice raced = devices.putIfAbsent(spec, created);
                return raced != null ? raced : created;
            }

            @Override
            public String toString() {
                return "ExtendedDevice.provider[" + scheme + ", " + type.bufferType() + "]";
            }
        };
    }

    /** The simulated device underneath, for playing the guest and the environment. */
    public SimDevice guest() {
        return guest;
    }

    /** The added buffer type. */
    public BufferType bufferType() {
        return type.bufferType();
    }

    @Override
    public String name() {
        return name;
    }

    /** Opens the wrapped device and adds the buffer type's answers and region memory to it. */
    @Override
    public OpenDevice open(Kernel host) throws DeviceException {
        Objects.requireNonNull(host, "host");
        OpenDevice od = guest.open(host);
        int memfd = -1;
        Mapping memory = null;
        try {
            memfd = host.memfdCreate("scanout-sim-" + type.bufferType() + "-region", Linux.MFD_CLOEXEC);
            host.ftruncate(memfd, region.size());
            memory = host.mmap(region.size(), Linux.PROT_READ | Linux.PROT_WRITE, Linux.MAP_SHARED, memfd, 0);
            return new OpenDevice(new ExtendedKernel(od.kernel(), host, od.fd(), memfd, memory), od.fd());
        } catch (DeviceException | RuntimeException e) {
            release(host, memfd, memory);
            od.kernel().close(od.fd());
            throw e;
        }
    }

    private static void release(Kernel host, int memfd, Mapping memory) throws DeviceException {
        if (memory != null) {
            host.munmap(memory);
        }
        if (memfd >= 0) {
            host.close(memfd);
        }
    }

    @Override
    public String toString() {
        return "ExtendedDevice[" + name + " + " + type.bufferType() + "]";
    }

    /** The wrapped device's kernel, with the added type's plane queries and region in front. */
    private final class ExtendedKernel extends ForwardingKernel {
        private final Kernel host;
        private final int deviceFd;
        private final long base;
        private int memfd;
        private Mapping memory;

        ExtendedKernel(Kernel k, Kernel host, int deviceFd, int memfd, Mapping memory) {
            super(k);
            this.host = host;
            this.deviceFd = deviceFd;
            this.memfd = memfd;
            this.memory = memory;
            this.base = Integer.toUnsignedLong(region.index()) << 40;
        }

        @Override
        public int ioctl(int fd, long request, ByteBuffer arg) throws DeviceException {
            if (fd != deviceFd || arg == null) {
                return delegate.ioctl(fd, request, arg);
            }
            ByteBuffer le = arg.duplicate().order(ByteOrder.LITTLE_ENDIAN);
            if (guest.isVanished()) {
                return delegate.ioctl(fd, request, arg); // the driver answers ENODEV
            }
            if (request == Vfio.DEVICE_QUERY_GFX_PLANE && le.limit() >= PlaneStruct.MINSZ
                    && (le.getInt(PlaneStruct.FLAGS) & ~PlaneStruct.PROBE) == flag) {
                return query(le);
            }
            if (request == Vfio.DEVICE_GET_REGION_INFO && le.limit() >= PlaneStruct.RI_SIZEOF
                    && le.getInt(PlaneStruct.RI_INDEX) == region.index()) {
                return regionInfo(le);
            }
            return delegate.ioctl(fd, request, arg);
        }

        private int query(ByteBuffer le) throws DeviceException {
            String call = "VFIO_DEVICE_QUERY_GFX_PLANE (" + type.bufferType() + ") on " + name;
            if (Integer.compareUnsigned(le.getInt(PlaneStruct.ARGSZ), PlaneStruct.MINSZ) < 0) {
                throw new DeviceException(call + " with argsz " + Integer.toUnsignedString(le.getInt(PlaneStruct.ARGSZ))
                        + " < " + PlaneStruct.MINSZ, Errno.EINVAL.number());
            }
            int flags = le.getInt(PlaneStruct.FLAGS);
            if ((flags & PlaneStruct.PROBE) != 0) {
                return 0;
            }
            int drmType = le.getInt(PlaneStruct.DRM_PLANE_TYPE);
            PlaneType plane;
            try {
                plane = PlaneType.ofDrm(drmType);
            } catch (IllegalArgumentException e) {
                throw new DeviceException(call + " for drm_plane_type " + drmType, Errno.EINVAL.number());
            }
            for (int off = PlaneStruct.DRM_FORMAT; off < PlaneStruct.MINSZ; off += 4) {
                le.putInt(off, 0);
            }
            ScriptedDevice.Answer a = ScriptedDevice.Answer.read(le);
            synchronized (this) {
                type.answer(guest, plane, memory().view(0, (int) region.size()), a);
            }
            a.flags = flags;
            a.planeType = drmType;
            a.write(le);
            return 0;
        }

        private int regionInfo(ByteBuffer le) throws DeviceException {
            if (Integer.compareUnsigned(le.getInt(PlaneStruct.RI_ARGSZ), PlaneStruct.RI_SIZEOF) < 0) {
                throw new DeviceException("VFIO_DEVICE_GET_REGION_INFO for region " + region.index() + " of " + name
                        + " with argsz " + Integer.toUnsignedString(le.getInt(PlaneStruct.RI_ARGSZ)) + " < 32",
                        Errno.EINVAL.number());
            }
            le.putInt(PlaneStruct.RI_CAP_OFFSET, 0);
            le.putLong(PlaneStruct.RI_OFFSET, base).putLong(PlaneStruct.RI_SIZE, region.size())
                    .putInt(PlaneStruct.RI_FLAGS, Vfio.REGION_INFO_FLAG_READ | Vfio.REGION_INFO_FLAG_WRITE
                            | Vfio.REGION_INFO_FLAG_MMAP);
            return 0;
        }

        /** Whether {@code [offset, offset + length)} of the device fd is in the added region (EINVAL when it straddles). */
        private boolean inRegion(int fd, long offset, long length, String call) throws DeviceException {
            if (fd != deviceFd || guest.isVanished() || offset < base || offset >= base + region.size()) {
                return false;
            }
            if (length < 0 || offset + length > base + region.size()) {
                throw new DeviceException(call + " of " + length + " bytes at region offset " + (offset - base)
                        + " runs past the end of region " + region.index() + " of " + name + " (" + region.size()
                        + " bytes)", Errno.EINVAL.number());
            }
            return true;
        }

        private synchronized Mapping memory() throws DeviceException {
            if (memory == null) {
                throw new DeviceException("the device file of " + name + " is closed", Errno.EBADF.number());
            }
            return memory;
        }

        @Override
        public int pread(int fd, ByteBuffer dst, long offset) throws DeviceException {
            if (!inRegion(fd, offset, dst.remaining(), "pread")) {
                return delegate.pread(fd, dst, offset);
            }
            int n = dst.remaining();
            synchronized (this) {
                dst.put(memory().view(offset - base, n));
            }
            return n;
        }

        @Override
        public int pwrite(int fd, ByteBuffer src, long offset) throws DeviceException {
            if (!inRegion(fd, offset, src.remaining(), "pwrite")) {
                return delegate.pwrite(fd, src, offset);
            }
            int n = src.remaining();
            synchronized (this) {
                memory().view(offset - base, n).put(src);
            }
            return n;
        }

        @Override
        public Mapping mmap(long length, int prot, int flags, int fd, long offset) throws DeviceException {
            if (!inRegion(fd, offset, length, "mmap")) {
                return delegate.mmap(length, prot, flags, fd, offset);
            }
            synchronized (this) {
                memory();
                return host.mmap(length, prot, flags, memfd, offset - base);
            }
        }

        @Override
        public void close(int fd) throws DeviceException {
            if (fd == deviceFd) {
                synchronized (this) {
                    Mapping m = memory;
                    int f = memfd;
                    memory = null;
                    memfd = -1;
                    release(host, f, m);
                }
            }
            delegate.close(fd);
        }
    }
}
