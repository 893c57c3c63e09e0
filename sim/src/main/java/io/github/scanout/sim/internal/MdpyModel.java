package io.github.scanout.sim.internal;

import static io.github.scanout.sim.internal.PlaneStruct.*;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.DrmFormat;
import io.github.scanout.api.Errno;
import io.github.scanout.api.Modifier;
import io.github.scanout.api.kernel.Kernel;
import io.github.scanout.api.kernel.Mapping;
import io.github.scanout.api.kernel.Vfio;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * Model of the kernel sample {@code samples/vfio-mdev/mdpy.c} (Linux 6.1): a region display.
 *
 * <ul>
 *   <li>{@code VFIO_DEVICE_GET_INFO}: argsz &gt;= 16, else EINVAL; flags PCI only (no RESET
 *       flag, although RESET works); 9 regions, 5 irqs; copies back 16 bytes.</li>
 *   <li>{@code GET_REGION_INFO}: argsz &gt;= 32; index &gt;= 9 other than 16 is EINVAL; CONFIG
 *       (7) is 0xff bytes at 0, read/write; BAR0 (0) and the display region 16 are the
 *       framebuffer at offset 0x1000, read/write/mmap; other indices answer size 0; no caps,
 *       argsz and cap_offset come back as given.</li>
 *   <li>{@code GET_IRQ_INFO}: EINVAL until GET_INFO has been called (the driver compares the
 *       index with a num_irqs it only learns from GET_INFO), then count 0.</li>
 *   <li>{@code QUERY_GFX_PLANE}: argsz &gt;= 60; only PROBE|REGION succeeds as a probe; only
 *       REGION queries; the plane type is ignored (a cursor query answers the primary plane);
 *       hotspot 0, not 0xFFFFFFFF.</li>
 *   <li>{@code RESET} repaints the grey gradient; SET_IRQS is EINVAL; others ENOTTY.</li>
 *   <li><b>Driver bug, reproduced</b>: pread and pwrite of the framebuffer region copy from and
 *       to the <em>start</em> of the framebuffer whatever the offset ({@code mdev_access}
 *       subtracts the BAR offset from {@code pos} and then never uses it). Each 4/2/1-byte
 *       chunk reads the first bytes again. Use mmap.</li>
 *   <li>mmap: page offset 1 exactly, at most the framebuffer size, MAP_SHARED (VM_SHARED)
 *       only, else EINVAL.</li>
 * </ul>
 */
public final class MdpyModel extends DriverModel {
    static final int MEMORY_BAR_OFFSET = 0x1000;
    static final int DISPLAY_REGION = 16;

    private final int width;
    private final int height;
    private final int memsize;
    private final SimMemory fb;
    private final PciConfig config = new PciConfig();
    private int storedNumIrqs;

    public MdpyModel(DeviceContext ctx, String type, int width, int height) {
        super(ctx);
        this.width = width;
        this.height = height;
        this.memsize = Integer.highestOneBit(width * height * 4 - 1) << 1; // roundup_pow_of_two
        this.fb = SimMemory.unbound("scanout-sim:mdpy-" + type + "-fb", memsize);
        config.put16(0x00, 0x1b36); // PCI_VENDOR_ID_REDHAT
        config.put16(0x02, 0x000f);
        config.put16(PciConfig.SUBSYSTEM_VENDOR, PciConfig.SUBVENDOR_QUMRANET);
        config.put16(PciConfig.SUBSYSTEM_ID, PciConfig.SUBDEVICE_QEMU);
        config.put16(PciConfig.COMMAND, 0x3);
        config.put16(PciConfig.STATUS, 0x10);
        config.put16(PciConfig.CLASS_DEVICE, PciConfig.CLASS_DISPLAY_OTHER);
        config.put8(PciConfig.REVISION, 0x01);
        config.put32(PciConfig.BAR0, 0x08);
        config.barMask(0, memsize);
        config.put8(PciConfig.CAPABILITY_LIST, 0x40);
        config.put8(0x40, 0x09);
        config.put8(0x41, 0x00);
        config.put8(0x42, 0x10);
        config.put32(0x44, DrmFormat.XRGB8888.fourcc());
        config.put32(0x48, width);
        config.put32(0x4c, height);
        reset();
    }

    public int memsize() {
        return memsize;
    }

    /** {@code mdpy_reset}: a grey gradient, row i filled with the byte i * 255 / height. */
    private void reset() {
        synchronized (lock) {
            ByteBuffer b = fb.buffer();
            int stride = width * 4;
            byte[] row = new byte[stride];
            for (int i = 0; i < height; i++) {
                java.util.Arrays.fill(row, (byte) (i * 255 / height));
                b.put(i * stride, row);
            }
        }
    }

    @Override
    protected void bind(Kernel host) throws DeviceException {
        fb.bind(host);
    }

    /** The framebuffer is vmalloc'ed at creation and kept across opens: its contents stay. */
    @Override
    protected void closeDevice() {
        fb.park(true);
    }

    @Override
    public Optional<Surface> primary() {
        return Optional.of(new Surface(fb, 0, DrmFormat.XRGB8888, Modifier.LINEAR, width, height, width * 4));
    }

    @Override
    public int ioctl(SimKernel k, int cmd, UserArg arg) throws DeviceException {
        String dev = ctx.name();
        switch (cmd) {
            case (int) Vfio.DEVICE_GET_INFO -> {
                KStruct info = arg.copyFrom(16, 24);
                if (KStruct.below(info.u32(0), 16)) {
                    throw Errors.errno(dev, arg.call() + " with argsz " + Integer.toUnsignedString(info.u32(0))
                            + " < 16", Errno.EINVAL);
                }
                info.putU32(4, Vfio.DEVICE_FLAGS_PCI).putU32(8, VfioCore.PCI_NUM_REGIONS)
                        .putU32(12, VfioCore.PCI_NUM_IRQS);
                synchronized (lock) {
                    storedNumIrqs = VfioCore.PCI_NUM_IRQS;
                }
                arg.copyTo(info, 16);
                return 0;
            }
            case (int) Vfio.DEVICE_GET_REGION_INFO -> {
                KStruct info = arg.copyFrom(RI_SIZEOF, RI_SIZEOF);
                if (KStruct.below(info.u32(RI_ARGSZ), RI_SIZEOF)) {
                    throw Errors.errno(dev, arg.call() + " with argsz "
                            + Integer.toUnsignedString(info.u32(RI_ARGSZ)) + " < 32", Errno.EINVAL);
                }
                int index = info.u32(RI_INDEX);
                if (!KStruct.below(index, VfioCore.PCI_NUM_REGIONS) && index != DISPLAY_REGION) {
                    throw Errors.errno(dev, arg.call() + " for region " + Integer.toUnsignedString(index)
                            + " (mdpy has regions 0-8 and 16)", Errno.EINVAL);
                }
                switch (index) {
                    case VfioCore.PCI_CONFIG_REGION_INDEX -> PlaneStruct.regionInfo(info, 0, PciConfig.SIZE,
                            Vfio.REGION_INFO_FLAG_READ | Vfio.REGION_INFO_FLAG_WRITE);
                    case 0, DISPLAY_REGION -> PlaneStruct.regionInfo(info, MEMORY_BAR_OFFSET, memsize, Vfio.REGION_INFO_FLAG_READ
                            | Vfio.REGION_INFO_FLAG_WRITE | Vfio.REGION_INFO_FLAG_MMAP);
                    default -> PlaneStruct.regionInfo(info, 0, 0, 0);
                }
                arg.copyTo(info, RI_SIZEOF);
                return 0;
            }
            case VfioCore.GET_IRQ_INFO -> {
                KStruct info = arg.copyFrom(16, 16);
                int irqs;
                synchronized (lock) {
                    irqs = storedNumIrqs;
                }
                if (KStruct.below(info.u32(0), 16) || !KStruct.below(info.u32(8), irqs)) {
                    throw Errors.errno(dev, arg.call() + " for irq index " + Integer.toUnsignedString(info.u32(8))
                            + (irqs == 0 ? " (mdpy only knows num_irqs after VFIO_DEVICE_GET_INFO)" : ""),
                            Errno.EINVAL);
                }
                info.putU32(12, 0);
                arg.copyTo(info, 16);
                return 0;
            }
            case (int) Vfio.DEVICE_QUERY_GFX_PLANE -> {
                KStruct plane = arg.copyFrom(MINSZ, SIZEOF);
                if (KStruct.below(plane.u32(ARGSZ), MINSZ)) {
                    throw Errors.errno(dev, arg.call() + " with argsz " + Integer.toUnsignedString(plane.u32(ARGSZ))
                            + " < 60", Errno.EINVAL);
                }
                query(plane, arg.call());
                arg.copyTo(plane, MINSZ);
                return 0;
            }
            case VfioCore.SET_IRQS -> throw Errors.errno(dev, arg.call(), Errno.EINVAL);
            case (int) Vfio.DEVICE_RESET -> {
                reset();
                return 0;
            }
            default -> throw Errors.errno(dev, arg.call() + " (not an mdpy ioctl)", Errno.ENOTTY);
        }
    }

    private void query(KStruct plane, String call) throws DeviceException {
        if (PlaneStruct.probed(plane, REGION, "mdpy", ctx.name(), call)) {
            return;
        }
        synchronized (lock) {
            if (plane.u32(DRM_PLANE_TYPE) == DRM_PLANE_TYPE_PRIMARY) {
                animateTick();
            }
        }
        plane.putU32(DRM_FORMAT, DrmFormat.XRGB8888.fourcc()).putU32(WIDTH, width).putU32(HEIGHT, height)
                .putU32(STRIDE, width * 4).putU32(SIZE, memsize).putU32(BUFFER_ID, DISPLAY_REGION)
                .putU64(DRM_FORMAT_MOD, 0).putU32(X_POS, 0).putU32(Y_POS, 0).putU32(X_HOT, 0).putU32(Y_HOT, 0);
    }

    @Override
    public int read(long pos, ByteBuffer dst) throws DeviceException {
        return ChunkedAccess.read(ctx.name(), pos, dst, this::access);
    }

    @Override
    public int write(long pos, ByteBuffer src) throws DeviceException {
        return ChunkedAccess.write(ctx.name(), pos, src, this::access);
    }

    /** {@code mdev_access}, with its bug: the framebuffer offset is dropped. */
    private boolean access(long pos, byte[] buf, int count, boolean write) {
        synchronized (lock) {
            if (pos < PciConfig.SIZE) {
                if (write) {
                    config.write((int) pos, buf, count, 0);
                } else {
                    config.read((int) pos, buf, count);
                }
                return true;
            }
            if (pos >= MEMORY_BAR_OFFSET && pos + count <= MEMORY_BAR_OFFSET + (long) memsize) {
                ByteBuffer mem = fb.buffer();
                if (write) {
                    mem.put(0, buf, 0, count);
                } else {
                    mem.get(0, buf, 0, count);
                }
                return true;
            }
            return false;
        }
    }

    @Override
    public Mapping mmap(SimKernel k, SimFile file, long length, int prot, int flags, boolean vmShared, long offset)
            throws DeviceException {
        String call = "mmap(length " + length + ", page offset " + offset / 4096 + ")";
        if (offset != MEMORY_BAR_OFFSET) {
            throw Errors.errno(ctx.name(), call + " (mdpy maps page offset 1 only)", Errno.EINVAL);
        }
        long pages = (length + 4095) / 4096 * 4096;
        if (pages > memsize) {
            throw Errors.errno(ctx.name(), call + " (larger than the " + memsize + "-byte framebuffer)", Errno.EINVAL);
        }
        if (!vmShared) {
            throw Errors.errno(ctx.name(), call + " (not a shared mapping)", Errno.EINVAL);
        }
        synchronized (lock) {
            return k.mapFor(file, fb, 0, length, prot, flags);
        }
    }
}
