package io.github.scanout.sim.internal;

import static io.github.scanout.sim.internal.PlaneStruct.*;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.DrmFormat;
import io.github.scanout.api.Errno;
import io.github.scanout.api.Modifier;
import io.github.scanout.api.kernel.Kernel;
import io.github.scanout.api.kernel.Linux;
import io.github.scanout.api.kernel.Mapping;
import io.github.scanout.api.kernel.Vfio;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Model of the kernel sample {@code samples/vfio-mdev/mbochs.c} (Linux 6.1): an emulated Bochs
 * display handing out dma-bufs.
 *
 * <p>Device-fd layout: config space (0xff bytes) at 0, BAR2 MMIO (4 KiB) at 0x1000 with the
 * DISPI registers at 0x500 + 2 * index (16-bit accesses only; anything else is ignored) and the
 * guest's EDID block view at 0x000-0x3ff, the EDID region (index 9) at 0x2000 (registers at
 * 0, blob at 0x800), VRAM (BAR0) at 0x3000, mmap at page offset 3 with MAP_SHARED only.
 *
 * <p>Quirks reproduced:
 * <ul>
 *   <li>The first QUERY_GFX_PLANE of a mode ({@code format, width, height, stride, offset}
 *       as the DISPI registers give it) allocates its buffer object and answers ENOMEM; the
 *       next query answers its id. Ids count from 1, one per distinct mode, never reused, and
 *       keep counting across opens (the list is emptied when the device closes).</li>
 *   <li>A disabled plane (ENABLE bit 0 clear, BPP not 32, a resolution under 64, or a
 *       framebuffer past the end of VRAM) and any non-primary plane answer success with format,
 *       size, id zero and hotspot 0.</li>
 *   <li>GET_GFX_DMABUF: unknown id ENOENT; a framebuffer offset that is not page aligned
 *       EINVAL; the fd comes without FD_CLOEXEC; the dma-buf is exported read-only, so mmap
 *       is EINVAL (EACCES for a shared writable mapping) unless the test allows it.</li>
 *   <li><b>GET_GFX_DMABUF for an id whose dma-buf is still alive</b> installs a second fd on
 *       the same file without taking a reference: a use-after-free that hangs the real kernel.
 *       The model records a violation instead (see {@link io.github.scanout.sim.ViolationPolicy}).</li>
 *   <li>REGION_INFO: argsz above 48 ({@code sizeof(struct vfio_region_info_ext)}) is EINVAL;
 *       the EDID region raises argsz to 48 and sets CAPS with cap_offset 32; the bytes between
 *       32 and argsz of other regions are uninitialised kernel stack ({@link KStruct#GARBAGE}).</li>
 *   <li><b>Driver bug, reproduced</b>: pread/pwrite of VRAM subtract the MMIO BAR offset
 *       (0x1000) instead of the VRAM offset (0x3000), so VRAM offset X reads VRAM byte
 *       X + 0x2000; in the last 8 KiB of the region the real driver indexes past its page
 *       array, which the model records as a violation. mmap is not affected.</li>
 *   <li>On the last close: the dma-buf list is emptied (live dma-bufs keep their pages), VRAM
 *       pages are freed (read back as zeros), the DISPI registers are kept.</li>
 * </ul>
 */
public final class MbochsModel extends DriverModel {
    /** What the simulated guest does before each primary-plane query (a mode cycle), or null. */
    private volatile Runnable beforePrimaryQuery;

    /**
     * Runs {@code guest} under {@link #lock()} before each primary-plane query, as a guest that
     * acts on a schedule (the spec's {@code mode=WxH,WxH/SECONDS}); null for none.
     */
    public void beforePrimaryQuery(Runnable guest) {
        beforePrimaryQuery = guest;
    }

    public static final int MMIO_BAR_OFFSET = 0x1000;
    public static final int MMIO_BAR_SIZE = 0x1000;
    public static final int EDID_OFFSET = 0x2000;
    public static final int EDID_SIZE = 0x1000;
    public static final int MEMORY_BAR_OFFSET = 0x3000;
    public static final int EDID_BLOB_OFFSET = EDID_SIZE / 2;
    public static final int EDID_REGION_INDEX = 9;
    public static final int NUM_REGIONS = 10;
    static final int REGION_INFO_EXT_SIZE = 48;

    public static final int VBE_ID = 0;
    public static final int VBE_XRES = 1;
    public static final int VBE_YRES = 2;
    public static final int VBE_BPP = 3;
    public static final int VBE_ENABLE = 4;
    public static final int VBE_BANK = 5;
    public static final int VBE_VIRT_WIDTH = 6;
    public static final int VBE_VIRT_HEIGHT = 7;
    public static final int VBE_X_OFFSET = 8;
    public static final int VBE_Y_OFFSET = 9;
    public static final int VBE_VIDEO_MEMORY_64K = 10;
    public static final int VBE_COUNT = 11;
    public static final int VBE_ID5 = 0xB0C5;
    public static final int VBE_ENABLED = 0x01;
    public static final int VBE_LFB_ENABLED = 0x40;

    /** {@code struct mbochs_mode}: two modes are the same buffer when all of it matches. */
    record Mode(int drmFormat, int bytepp, int width, int height, int stride, long offset, long size) {}

    /** {@code struct mbochs_dmabuf}. */
    static final class Dmabuf {
        final Mode mode;
        final int id;
        DmaBufFile buf;
        boolean unlinked;

        Dmabuf(Mode mode, int id) {
            this.mode = mode;
            this.id = id;
        }
    }

    private final String type;
    private final long memsize;
    private final int maxX;
    private final int maxY;
    private final SimMemory vram;
    private final PciConfig config = new PciConfig();
    private final int[] vbe = new int[VBE_COUNT];
    private final KStruct edidRegs = KStruct.zeroed(Vfio.GFX_EDID_SIZE);
    private final byte[] edidBlob = new byte[0x400];
    private final List<Dmabuf> dmabufs = new ArrayList<>();
    private int nextId = 1;
    private volatile boolean dmabufMmapAllowed;

    public MbochsModel(DeviceContext ctx, String type, int mbytes, int maxX, int maxY) {
        super(ctx);
        this.type = type;
        this.memsize = mbytes * 1024L * 1024L;
        this.maxX = maxX;
        this.maxY = maxY;
        this.vram = SimMemory.unbound("scanout-sim:mbochs-" + type + "-vram", memsize);
        edidRegs.putU32(0, EDID_BLOB_OFFSET).putU32(4, edidBlob.length).putU32(12, maxX).putU32(16, maxY);
        config.put16(0x00, 0x1234);
        config.put16(0x02, 0x1111);
        config.put16(PciConfig.SUBSYSTEM_VENDOR, PciConfig.SUBVENDOR_QUMRANET);
        config.put16(PciConfig.SUBSYSTEM_ID, PciConfig.SUBDEVICE_QEMU);
        config.put16(PciConfig.COMMAND, 0x3);
        config.put16(PciConfig.CLASS_DEVICE, PciConfig.CLASS_DISPLAY_OTHER);
        config.put8(PciConfig.REVISION, 0x01);
        config.put32(PciConfig.BAR0, 0x08);
        config.barMask(0, memsize);
        config.put32(PciConfig.BAR2, 0x00);
        config.barMask(2, MMIO_BAR_SIZE);
        resetRegisters();
    }

    public long memsize() {
        return memsize;
    }

    public int maxX() {
        return maxX;
    }

    public int maxY() {
        return maxY;
    }

    public String type() {
        return type;
    }

    public void dmabufMmapAllowed(boolean allowed) {
        dmabufMmapAllowed = allowed;
    }

    /** {@code mbochs_reset}: every DISPI register 0 but ID (0xB0C5) and VIDEO_MEMORY_64K. */
    private void resetRegisters() {
        synchronized (lock) {
            java.util.Arrays.fill(vbe, 0);
            vbe[VBE_ID] = VBE_ID5;
            vbe[VBE_VIDEO_MEMORY_64K] = (int) (memsize / (64 * 1024)) & 0xffff;
        }
    }

    /** A DISPI register as the device holds it (for tests; guests read through MMIO). */
    public int register(int index) {
        synchronized (lock) {
            return vbe[index];
        }
    }

    @Override
    protected void bind(Kernel host) throws DeviceException {
        vram.bind(host);
    }

    /** {@code mbochs_check_framebuffer}. Call under the lock. */
    private Optional<Mode> checkFramebuffer() {
        if ((vbe[VBE_ENABLE] & VBE_ENABLED) == 0 || vbe[VBE_BPP] != 32) {
            return Optional.empty();
        }
        int width = vbe[VBE_XRES];
        int height = vbe[VBE_YRES];
        int virtWidth = Math.max(vbe[VBE_VIRT_WIDTH], width);
        int stride = virtWidth * 4;
        long size = (long) stride * height;
        long offset = (long) vbe[VBE_X_OFFSET] * 4 + (long) vbe[VBE_Y_OFFSET] * stride;
        if (width < 64 || height < 64 || offset + size > memsize) {
            return Optional.empty();
        }
        return Optional.of(new Mode(DrmFormat.XRGB8888.fourcc(), 4, width, height, stride, offset, size));
    }

    @Override
    public Optional<Surface> primary() {
        return checkFramebuffer().map(m -> new Surface(vram, m.offset(), DrmFormat.XRGB8888, Modifier.LINEAR,
                m.width(), m.height(), m.stride()));
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
                info.putU32(4, Vfio.DEVICE_FLAGS_PCI).putU32(8, NUM_REGIONS).putU32(12, VfioCore.PCI_NUM_IRQS);
                arg.copyTo(info, 16);
                return 0;
            }
            case (int) Vfio.DEVICE_GET_REGION_INFO -> {
                return regionInfo(arg);
            }
            case VfioCore.GET_IRQ_INFO -> {
                KStruct info = arg.copyFrom(16, 16);
                if (KStruct.below(info.u32(0), 16) || !KStruct.below(info.u32(8), VfioCore.PCI_NUM_IRQS)) {
                    throw Errors.errno(dev, arg.call() + " for irq index " + Integer.toUnsignedString(info.u32(8)),
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
            case (int) Vfio.DEVICE_GET_GFX_DMABUF -> {
                return getDmabuf(k, Integer.toUnsignedLong(arg.getU32()), arg.call());
            }
            case VfioCore.SET_IRQS -> throw Errors.errno(dev, arg.call(), Errno.EINVAL);
            case (int) Vfio.DEVICE_RESET -> {
                resetRegisters();
                return 0;
            }
            default -> throw Errors.errno(dev, arg.call() + " (not an mbochs ioctl)", Errno.ENOTTY);
        }
    }

    private int regionInfo(UserArg arg) throws DeviceException {
        KStruct info = arg.copyFrom(RI_SIZEOF, REGION_INFO_EXT_SIZE);
        long outsz = Integer.toUnsignedLong(info.u32(RI_ARGSZ));
        if (outsz < RI_SIZEOF) {
            throw Errors.errno(ctx.name(), arg.call() + " with argsz " + outsz + " < 32", Errno.EINVAL);
        }
        if (outsz > REGION_INFO_EXT_SIZE) {
            throw Errors.errno(ctx.name(), arg.call() + " with argsz " + outsz
                    + " > 48 (mbochs refuses any argsz larger than its struct vfio_region_info_ext)", Errno.EINVAL);
        }
        int index = info.u32(RI_INDEX);
        if (!KStruct.below(index, NUM_REGIONS)) {
            throw Errors.errno(ctx.name(), arg.call() + " for region " + Integer.toUnsignedString(index)
                    + " (mbochs has regions 0-9)", Errno.EINVAL);
        }
        switch (index) {
            case VfioCore.PCI_CONFIG_REGION_INDEX -> PlaneStruct.regionInfo(info, 0, PciConfig.SIZE,
                    Vfio.REGION_INFO_FLAG_READ | Vfio.REGION_INFO_FLAG_WRITE);
            case 0 -> PlaneStruct.regionInfo(info, MEMORY_BAR_OFFSET, memsize,
                    Vfio.REGION_INFO_FLAG_READ | Vfio.REGION_INFO_FLAG_WRITE | Vfio.REGION_INFO_FLAG_MMAP);
            case 2 -> PlaneStruct.regionInfo(info, MMIO_BAR_OFFSET, MMIO_BAR_SIZE,
                    Vfio.REGION_INFO_FLAG_READ | Vfio.REGION_INFO_FLAG_WRITE);
            case EDID_REGION_INDEX -> {
                info.putU32(RI_ARGSZ, REGION_INFO_EXT_SIZE);
                PlaneStruct.regionInfo(info, EDID_OFFSET, EDID_SIZE, Vfio.REGION_INFO_FLAG_READ | Vfio.REGION_INFO_FLAG_WRITE
                        | Vfio.REGION_INFO_FLAG_CAPS);
                info.putU32(RI_CAP_OFFSET, RI_SIZEOF);
                info.putU16(32, Vfio.REGION_INFO_CAP_TYPE).putU16(34, 1).putU32(36, 0)
                        .putU32(40, Vfio.REGION_TYPE_GFX).putU32(44, Vfio.REGION_SUBTYPE_GFX_EDID);
            }
            default -> PlaneStruct.regionInfo(info, 0, 0, 0);
        }
        arg.copyTo(info, outsz);
        return 0;
    }

    private void query(KStruct plane, String call) throws DeviceException {
        if (PlaneStruct.probed(plane, DMABUF, "mbochs", ctx.name(), call)) {
            return;
        }
        plane.putU64(DRM_FORMAT_MOD, 0).putU32(X_POS, 0).putU32(Y_POS, 0).putU32(X_HOT, 0).putU32(Y_HOT, 0);
        synchronized (lock) {
            boolean primary = plane.u32(DRM_PLANE_TYPE) == DRM_PLANE_TYPE_PRIMARY;
            Optional<Mode> mode = Optional.empty();
            if (primary) {
                Runnable guest = beforePrimaryQuery;
                if (guest != null) {
                    guest.run();
                }
                animateTick();
                mode = checkFramebuffer();
            }
            if (mode.isEmpty()) {
                plane.putU32(DRM_FORMAT, 0).putU32(WIDTH, 0).putU32(HEIGHT, 0).putU32(STRIDE, 0).putU32(SIZE, 0)
                        .putU32(BUFFER_ID, 0);
            } else {
                Dmabuf d = findByMode(mode.get());
                if (d == null) {
                    // the driver allocates the buffer object, drops the pointer and reports ENOMEM
                    dmabufs.add(0, new Dmabuf(mode.get(), nextId++));
                    throw Errors.errno(ctx.name(), call + " (first query of a new mode: mbochs allocates its buffer"
                            + " object and answers ENOMEM; query again)", Errno.ENOMEM);
                }
                Mode m = d.mode;
                plane.putU32(DRM_FORMAT, m.drmFormat()).putU32(WIDTH, m.width()).putU32(HEIGHT, m.height())
                        .putU32(STRIDE, m.stride()).putU32(SIZE, (int) m.size()).putU32(BUFFER_ID, d.id);
            }
        }
    }

    private Dmabuf findByMode(Mode mode) {
        for (Dmabuf d : dmabufs) {
            if (d.mode.equals(mode)) {
                return d;
            }
        }
        return null;
    }

    private Dmabuf findById(long id) {
        for (Dmabuf d : dmabufs) {
            if (Integer.toUnsignedLong(d.id) == id) {
                return d;
            }
        }
        return null;
    }

    private int getDmabuf(SimKernel k, long id, String call) throws DeviceException {
        ctx.countDmabufGet(id);
        String what = call + " for id " + id;
        DmaBufFile file;
        synchronized (lock) {
            Dmabuf d = findById(id);
            if (d == null) {
                throw Errors.errno(ctx.name(), what + " (no such buffer in this open of the device)", Errno.ENOENT);
            }
            if (d.buf != null) {
                throw ctx.violation(what, "the dma-buf of this id is still alive (" + d.buf.refs()
                        + " fd(s) or mapping(s)); the real mbochs installs a second fd for the same file without"
                        + " taking a reference, a use-after-free that hangs the kernel. Call GET_GFX_DMABUF once per"
                        + " id per open and dup() the fd");
            }
            if (d.mode.offset() % Linux.PAGE_SIZE != 0) {
                throw Errors.errno(ctx.name(), what + " (framebuffer offset 0x" + Long.toHexString(d.mode.offset())
                        + " is not page aligned: mbochs cannot export it)", Errno.EINVAL);
            }
            file = new DmaBufFile(ctx, d.id, dmabufMmapAllowed, d.mode.size(), vram, d.mode.offset(),
                    new Exporter(d));
            d.buf = file;
        }
        return k.install(file, false);
    }

    /** {@code mbochs_dmabuf_ops}: mmap needs VM_SHARED; release forgets the export. */
    private final class Exporter implements DmaBufFile.Exporter {
        private final Dmabuf dmabuf;

        Exporter(Dmabuf dmabuf) {
            this.dmabuf = dmabuf;
        }

        @Override
        public void checkMmap(DmaBufFile buf, int prot, boolean vmShared) throws DeviceException {
            if (!vmShared) {
                throw Errors.errno(ctx.name(), "mmap of " + buf.label() + " (mbochs exports its dma-bufs read-only"
                        + " and maps shared mappings only; a MAP_SHARED mapping of a read-only file is not VM_SHARED)",
                        Errno.EINVAL);
            }
        }

        @Override
        public void released(DmaBufFile buf) {
            synchronized (lock) {
                if (dmabuf.buf == buf) {
                    dmabuf.buf = null;
                }
                buf.unpinBacking();
            }
        }
    }

    @Override
    protected void closeDevice() {
        for (Dmabuf d : dmabufs) {
            if (d.buf != null) {
                d.unlinked = true;
                // the dma-buf holds references on its pages: they outlive the VRAM that is freed below
                long pages = (d.mode.size() + Linux.PAGE_SIZE - 1) / Linux.PAGE_SIZE * Linux.PAGE_SIZE;
                long start = d.mode.offset() / Linux.PAGE_SIZE * Linux.PAGE_SIZE;
                try {
                    SimMemory copy = vram.copyOf("scanout-sim:mbochs-" + type + "-dmabuf-" + d.id + "-pages", start,
                            Math.min(pages, memsize - start));
                    d.buf.rebacking(copy, d.mode.offset() - start);
                    copy.release();
                } catch (DeviceException e) {
                    System.getLogger(MbochsModel.class.getName()).log(System.Logger.Level.WARNING,
                            "could not keep the pages of dma-buf " + d.id + " past the device close", e);
                }
            }
        }
        dmabufs.clear();
        vram.zero();
        vram.park(false);
    }

    @Override
    public int read(long pos, ByteBuffer dst) throws DeviceException {
        return ChunkedAccess.read(ctx.name(), pos, dst, this::access);
    }

    @Override
    public int write(long pos, ByteBuffer src) throws DeviceException {
        return ChunkedAccess.write(ctx.name(), pos, src, this::access);
    }

    /** {@code mdev_access}. */
    private boolean access(long pos, byte[] buf, int count, boolean write) throws DeviceException {
        synchronized (lock) {
            if (pos < PciConfig.SIZE) {
                if (write) {
                    config.write((int) pos, buf, count, 0, 2);
                } else {
                    config.read((int) pos, buf, count);
                }
            } else if (pos >= MMIO_BAR_OFFSET && pos + count <= MMIO_BAR_OFFSET + MMIO_BAR_SIZE) {
                int off = (int) (pos - MMIO_BAR_OFFSET);
                if (write) {
                    mmioWrite(off, buf, count);
                } else {
                    mmioRead(off, buf, count);
                }
            } else if (pos >= EDID_OFFSET && pos + count <= EDID_OFFSET + EDID_SIZE) {
                int off = (int) (pos - EDID_OFFSET);
                if (off < EDID_BLOB_OFFSET) {
                    edidRegs(off, buf, count, write);
                } else {
                    edidBlob(off - EDID_BLOB_OFFSET, buf, count, write);
                }
            } else if (pos >= MEMORY_BAR_OFFSET && pos + count <= MEMORY_BAR_OFFSET + memsize) {
                long vramPos = pos - MMIO_BAR_OFFSET; // sic: the driver subtracts the wrong BAR offset
                if (vramPos + count > memsize) {
                    throw ctx.violation((write ? "pwrite" : "pread") + " at device offset 0x" + Long.toHexString(pos),
                            "the real mbochs subtracts 0x1000 instead of 0x3000 from VRAM offsets and indexes page "
                                    + vramPos / Linux.PAGE_SIZE + " of its " + memsize / Linux.PAGE_SIZE
                                    + "-page array (out of bounds); read VRAM through mmap");
                }
                ByteBuffer mem = vram.buffer();
                if (write) {
                    mem.put((int) vramPos, buf, 0, count);
                } else {
                    mem.get((int) vramPos, buf, 0, count);
                }
            } else {
                return false;
            }
            return true;
        }
    }

    private void mmioWrite(int offset, byte[] buf, int count) {
        if (offset >= 0x500 && offset <= 0x515 && count == 2) {
            int index = (offset - 0x500) / 2;
            if (index < VBE_COUNT) {
                vbe[index] = (buf[0] & 0xff) | (buf[1] & 0xff) << 8;
            }
        }
    }

    private void mmioRead(int offset, byte[] buf, int count) {
        if (offset <= 0x3ff) {
            int linkState = edidRegs.u32(20);
            int edidSize = edidRegs.u32(8);
            if (linkState != Vfio.EDID_LINK_UP || !KStruct.below(offset, Integer.toUnsignedLong(edidSize))) {
                java.util.Arrays.fill(buf, 0, count, (byte) 0);
                return;
            }
            for (int i = 0; i < count; i++) {
                buf[i] = offset + i < edidBlob.length ? edidBlob[offset + i] : KStruct.GARBAGE;
            }
            return;
        }
        if (offset >= 0x500 && offset <= 0x515 && count == 2) {
            int index = (offset - 0x500) / 2;
            int reg = index < VBE_COUNT ? vbe[index] : 0;
            buf[0] = (byte) reg;
            buf[1] = (byte) (reg >>> 8);
            return;
        }
        java.util.Arrays.fill(buf, 0, count, (byte) 0);
    }

    /** {@code handle_edid_regs}: 4-byte aligned accesses of the 24-byte struct; link_state and edid_size writable. */
    private void edidRegs(int offset, byte[] buf, int count, boolean write) {
        if (offset + count > Vfio.GFX_EDID_SIZE || count != 4 || offset % 4 != 0) {
            return; // ignored; a read leaves the driver's buffer uninitialised
        }
        ByteBuffer b = ByteBuffer.wrap(buf).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        if (write) {
            if (offset == 20 || offset == 8) {
                edidRegs.putU32(offset, b.getInt(0));
            }
        } else {
            b.putInt(0, edidRegs.u32(offset));
        }
    }

    /** {@code handle_edid_blob}: accesses that end past edid_max_size are ignored. */
    private void edidBlob(int offset, byte[] buf, int count, boolean write) {
        if (offset + count > edidRegs.u32(4)) {
            return;
        }
        if (write) {
            System.arraycopy(buf, 0, edidBlob, offset, count);
        } else {
            System.arraycopy(edidBlob, offset, buf, 0, count);
        }
    }

    @Override
    public Mapping mmap(SimKernel k, SimFile file, long length, int prot, int flags, boolean vmShared, long offset)
            throws DeviceException {
        String call = "mmap(length " + length + ", page offset " + offset / Linux.PAGE_SIZE + ")";
        if (offset != MEMORY_BAR_OFFSET) {
            throw Errors.errno(ctx.name(), call + " (mbochs maps VRAM at page offset 3 only)", Errno.EINVAL);
        }
        long bytes = (length + Linux.PAGE_SIZE - 1) / Linux.PAGE_SIZE * Linux.PAGE_SIZE;
        if (bytes > memsize) {
            throw Errors.errno(ctx.name(), call + " (larger than the " + memsize + "-byte VRAM)", Errno.EINVAL);
        }
        if (!vmShared) {
            throw Errors.errno(ctx.name(), call + " (not a shared mapping)", Errno.EINVAL);
        }
        synchronized (lock) {
            return k.mapFor(file, vram, 0, length, prot, flags);
        }
    }

    /** Number of buffer objects on the device's list (for tests). */
    public int buffers() {
        synchronized (lock) {
            return dmabufs.size();
        }
    }
}
