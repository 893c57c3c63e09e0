package io.github.scanout.sim.internal;

import static io.github.scanout.sim.internal.PlaneStruct.*;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.DrmFormat;
import io.github.scanout.api.Errno;
import io.github.scanout.api.Modifier;
import io.github.scanout.api.PlaneInfo;
import io.github.scanout.api.kernel.Kernel;
import io.github.scanout.api.kernel.Linux;
import io.github.scanout.api.kernel.Mapping;
import io.github.scanout.api.kernel.Vfio;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Model of Intel GVT-g's display side ({@code drivers/gpu/drm/i915/gvt/kvmgt.c} and
 * {@code dmabuf.c}, Linux 6.1) with a simulated guest driving its planes.
 *
 * <ul>
 *   <li>QUERY_GFX_PLANE: argsz &gt;= 60; {@code flags == PROBE|DMABUF} succeeds, any flag other
 *       than DMABUF (or none) is EINVAL. Plane types other than primary and cursor are EINVAL. A
 *       disabled plane is ENODEV inside the driver, which the ioctl turns into success
 *       <em>without writing the struct</em>: the caller gets its own bytes back (zeros when it
 *       zeroed the struct, as it must).</li>
 *   <li>Buffer objects are matched by (GGTT address, size, modifier, format, width, height); a
 *       new one takes the lowest free id from 1 (an IDR), so ids are reused once an object is
 *       freed: an object lives while it has an "initial reference" (set by every query that
 *       picks it, dropped by the first GET_GFX_DMABUF after that) or live dma-bufs.</li>
 *   <li>GET_GFX_DMABUF: unknown id EINVAL (not ENOENT); every call exports a new dma-buf
 *       (O_RDWR, FD_CLOEXEC); mmap of it is ENODEV unless the test allows it.</li>
 *   <li>Cursor: ARGB8888, 64/128/256 square, hotspot reported only when
 *       {@code x_hot <= width && y_hot <= height} (sic, not {@code <}), else 0xFFFFFFFF for both.
 *       The position is reported as a two's-complement u32 by default; the real driver drops the
 *       sign bit of the CURPOS register (a cursor off the top/left edge reports its magnitude),
 *       which {@code cursorSignDropped} reproduces.</li>
 *   <li>Primary: any known format, linear or X/Y tiled; stride aligned to 64 bytes (linear) or
 *       the tile width; size {@code stride * roundUp(height, tileRows)} (not page aligned); the
 *       dma-buf is the size rounded up to a page. Tiled buffers hold really tiled pixels.</li>
 *   <li>Regions at {@code index << 40}: config (4 KiB), BAR0 (16 MiB MMIO, reads zeros), BAR2
 *       (aperture with a sparse-mmap capability; not modelled: access and mmap are refused),
 *       OpRegion (9, read-only, vendor type), EDID (10, with GVT's checks: link up needs a valid
 *       EDID block, edid_size &lt;= 128, read-only registers EPERM; its region size is 128 while
 *       the blob lies at 0x800, as in the driver).</li>
 * </ul>
 */
public final class GvtModel extends DriverModel {
    static final int NUM_REGIONS = 11;
    static final int OPREGION_INDEX = 9;
    static final int EDID_INDEX = 10;
    static final long BAR0_SIZE = 16L << 20;
    static final long APERTURE_SIZE = 256L << 20;
    static final long VGPU_APERTURE_OFFSET = 64L << 20;
    static final long VGPU_APERTURE_SIZE = 64L << 20;
    static final int CFG_SPACE_SIZE = 4096;
    static final int OPREGION_SIZE = 8192;
    static final int EDID_BLOB_OFFSET = 0x800;
    static final int EDID_SIZE = 128;
    static final int OPREGION_TYPE = 0x80000000 | 0x8086;
    static final int OPREGION_SUBTYPE = 1;
    static final long UINT_MAX = 0xffffffffL;

    /** A framebuffer in guest graphics memory. */
    private static final class GuestFb {
        final SimMemory mem;
        final long start;

        GuestFb(SimMemory mem, long start) {
            this.mem = mem;
            this.start = start;
        }
    }

    /** What {@code pick_dmabuf_by_info} compares. */
    private record FbKey(long start, long size, long modifier, int format, int width, int height) {}

    /** {@code struct intel_vgpu_dmabuf_obj}. */
    private static final class Obj {
        final int id;
        final FbKey key;
        final SimMemory mem;
        boolean initref = true;
        int live;

        Obj(int id, FbKey key, SimMemory mem) {
            this.id = id;
            this.key = key;
            this.mem = mem;
        }
    }

    /** {@code struct intel_vgpu_fb_info} of the plane right now. */
    private record FbInfo(FbKey key, GuestFb fb, int stride, int xPos, int yPos, long xHot, long yHot) {}

    private Kernel host;
    private long nextStart = 0x100000;
    private boolean primaryEnabled = true;
    private DrmFormat format = DrmFormat.XRGB8888;
    private Modifier modifier = Modifier.LINEAR;
    private int width = 1024;
    private int height = 768;
    private final GuestFb[] buffers = new GuestFb[2];
    private int front;
    private boolean cursorVisible = true;
    private int cursorSize = 64;
    private GuestFb cursorFb;
    private int cursorX;
    private int cursorY;
    private long hotX;
    private long hotY;
    private boolean cursorSignDropped;
    private volatile boolean dmabufMmapAllowed;
    private final List<Obj> objs = new ArrayList<>();
    private final byte[] config = new byte[CFG_SPACE_SIZE];
    private final byte[] opregion = new byte[OPREGION_SIZE];
    private final KStruct edidRegs = KStruct.zeroed(Vfio.GFX_EDID_SIZE);
    private final byte[] edidBlob = Edid.block(52, 32);

    public GvtModel(DeviceContext ctx) {
        super(ctx);
        ByteBuffer c = ByteBuffer.wrap(config).order(ByteOrder.LITTLE_ENDIAN);
        c.putShort(0, (short) 0x8086).putShort(2, (short) 0x5912).putShort(4, (short) 0x3).putShort(0x0a, (short) 0x0300);
        byte[] sig = "IntelGraphicsMem".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(sig, 0, opregion, 0, sig.length);
        edidRegs.putU32(0, EDID_BLOB_OFFSET).putU32(4, EDID_SIZE).putU32(8, EDID_SIZE).putU32(12, 1920)
                .putU32(16, 1200);
        synchronized (lock) {
            try {
                allocatePrimary();
                allocateCursor();
            } catch (DeviceException e) {
                throw new IllegalStateException("heap memory cannot fail to allocate like a memfd", e);
            }
        }
    }

    // ---- scripting (the simulated guest); all under the lock --------------------------------

    public void dmabufMmapAllowed(boolean allowed) {
        dmabufMmapAllowed = allowed;
    }

    public void setPrimary(DrmFormat newFormat, Modifier newModifier, int newWidth, int newHeight)
            throws DeviceException {
        if (!newFormat.isKnown()) {
            throw new IllegalArgumentException("unknown DRM format " + newFormat);
        }
        if (!IntelTiling.supported(newModifier)) {
            throw new IllegalArgumentException("the simulated GVT-g lays out LINEAR, I915_X_TILED and I915_Y_TILED,"
                    + " not " + newModifier);
        }
        if (newWidth < 1 || newHeight < 1 || newWidth > 8192 || newHeight > 8192) {
            throw new IllegalArgumentException("GVT-g plane size must be 1..8192 x 1..8192, got " + newWidth + "x"
                    + newHeight);
        }
        synchronized (lock) {
            format = newFormat;
            modifier = newModifier;
            width = newWidth;
            height = newHeight;
            primaryEnabled = true;
            allocatePrimary();
        }
    }

    public void primaryEnabled(boolean on) {
        synchronized (lock) {
            primaryEnabled = on;
        }
    }

    /** Page flip: the next frame is drawn in the other buffer, which becomes the front. */
    public long flip() throws DeviceException {
        synchronized (lock) {
            int back = 1 - front;
            if (buffers[back] == null) {
                buffers[back] = newFb("primary", primaryBytes());
            }
            front = back;
            long next = frame() + 1;
            drawFrame(next);
            return next;
        }
    }

    public void cursorVisible(boolean on) {
        synchronized (lock) {
            cursorVisible = on;
        }
    }

    public void moveCursor(int x, int y) {
        synchronized (lock) {
            cursorX = x;
            cursorY = y;
        }
    }

    public void cursorHotspot(long x, long y) {
        synchronized (lock) {
            hotX = x & UINT_MAX;
            hotY = y & UINT_MAX;
        }
    }

    public void cursorSize(int size) throws DeviceException {
        if (size != 64 && size != 128 && size != 256) {
            throw new IllegalArgumentException("GVT-g cursors are 64, 128 or 256 pixels square, not " + size);
        }
        synchronized (lock) {
            cursorSize = size;
            allocateCursor();
        }
    }

    public void cursorSignDropped(boolean dropped) {
        synchronized (lock) {
            cursorSignDropped = dropped;
        }
    }

    public Optional<Surface> cursor() {
        synchronized (lock) {
            return cursorVisible ? Optional.of(cursorSurface()) : Optional.empty();
        }
    }

    /** Buffer objects alive in the driver (for tests). */
    public int objects() {
        synchronized (lock) {
            return objs.size();
        }
    }

    // ---- memory -----------------------------------------------------------------------------

    private int stride() {
        long row = PlaneInfo.rowBytes(format, width);
        int align = modifier.isLinear() ? 64 : modifier.tileWidthBytes();
        return (int) ((row + align - 1) / align * align);
    }

    /** {@code stride * roundUp(height, tileRows)}: the plane size GVT-g reports. */
    private long primaryBytes() {
        int rows = modifier.tileRows();
        return (long) stride() * ((height + rows - 1) / rows * rows);
    }

    private static long pageAlign(long n) {
        return (n + Linux.PAGE_SIZE - 1) / Linux.PAGE_SIZE * Linux.PAGE_SIZE;
    }

    private GuestFb newFb(String what, long bytes) throws DeviceException {
        long start = nextStart;
        nextStart += pageAlign(bytes) + Linux.PAGE_SIZE;
        String name = "scanout-sim:gvt-" + what + "-0x" + Long.toHexString(start);
        SimMemory mem = openFiles() > 0 ? new SimMemory(name, pageAlign(bytes), host)
                : SimMemory.unbound(name, pageAlign(bytes));
        return new GuestFb(mem, start);
    }

    private void allocatePrimary() throws DeviceException {
        for (int i = 0; i < buffers.length; i++) {
            if (buffers[i] != null) {
                buffers[i].mem.release();
                buffers[i] = null;
            }
        }
        front = 0;
        buffers[0] = newFb("primary", primaryBytes());
    }

    private void allocateCursor() throws DeviceException {
        if (cursorFb != null) {
            cursorFb.mem.release();
        }
        cursorFb = newFb("cursor", (long) cursorSize * cursorSize * 4);
        TestPattern.drawCursor(cursorSurface());
    }

    private Surface cursorSurface() {
        return new Surface(cursorFb.mem, 0, DrmFormat.ARGB8888, Modifier.LINEAR, cursorSize, cursorSize, cursorSize * 4);
    }

    @Override
    public Optional<Surface> primary() {
        return primaryEnabled ? Optional.of(frontBuffer()) : Optional.empty();
    }

    /** The guest's current front buffer, whether the plane is enabled or not. Call under the lock. */
    public Surface frontBuffer() {
        return new Surface(buffers[front].mem, 0, format, modifier, width, height, stride());
    }

    @Override
    protected void bind(Kernel newHost) throws DeviceException {
        host = newHost;
        for (SimMemory m : memories()) {
            m.bind(newHost);
        }
    }

    /**
     * Guest memory persists while the device is closed (it is the guest's). As the kernel's
     * intel_gvt_release_vgpu() (intel_vgpu_dmabuf_cleanup()), close drops the initial reference of
     * every dma-buf object: those without a live dma-buf go now, the others with their last fd.
     */
    @Override
    protected void closeDevice() {
        for (java.util.Iterator<Obj> it = objs.iterator(); it.hasNext(); ) {
            Obj o = it.next();
            o.initref = false;
            if (o.live == 0) {
                it.remove();
                o.mem.release();
            }
        }
        for (SimMemory m : memories()) {
            m.park(true);
        }
    }

    private java.util.Set<SimMemory> memories() {
        java.util.Set<SimMemory> all = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (GuestFb b : buffers) {
            if (b != null) {
                all.add(b.mem);
            }
        }
        all.add(cursorFb.mem);
        for (Obj o : objs) {
            all.add(o.mem);
        }
        return all;
    }

    @Override
    protected void animated(long n) {
        double t = n * 0.05;
        cursorX = (int) Math.round(80 * Math.cos(t));
        cursorY = (int) Math.round(20 + 60 * Math.sin(t));
    }

    // ---- ioctls -----------------------------------------------------------------------------

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
                info.putU32(4, Vfio.DEVICE_FLAGS_PCI | Vfio.DEVICE_FLAGS_RESET).putU32(8, NUM_REGIONS)
                        .putU32(12, VfioCore.PCI_NUM_IRQS);
                arg.copyTo(info, 16);
                return 0;
            }
            case (int) Vfio.DEVICE_GET_REGION_INFO -> {
                return regionInfo(arg);
            }
            case VfioCore.GET_IRQ_INFO -> {
                KStruct info = arg.copyFrom(16, 16);
                int index = info.u32(8);
                if (KStruct.below(info.u32(0), 16) || !KStruct.below(index, VfioCore.PCI_NUM_IRQS)
                        || (index != 0 && index != 1)) {
                    throw Errors.errno(dev, arg.call() + " for irq index " + Integer.toUnsignedString(index),
                            Errno.EINVAL);
                }
                int flags = VfioCore.IRQ_INFO_EVENTFD | (index == 0
                        ? VfioCore.IRQ_INFO_MASKABLE | VfioCore.IRQ_INFO_AUTOMASKED : VfioCore.IRQ_INFO_NORESIZE);
                info.putU32(4, flags).putU32(12, 1);
                arg.copyTo(info, 16);
                return 0;
            }
            case VfioCore.SET_IRQS -> {
                return setIrqs(arg);
            }
            case (int) Vfio.DEVICE_RESET -> {
                synchronized (lock) {
                    // intel_gvt_reset_vgpu: the virtual display registers are reset, planes are off
                    primaryEnabled = false;
                    cursorVisible = false;
                }
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
            default -> throw Errors.errno(dev, arg.call() + " (not a GVT-g ioctl)", Errno.ENOTTY);
        }
    }

    /** GVT's SET_IRQS, simplified: eventfd and bool data are not modelled (EINVAL). */
    private int setIrqs(UserArg arg) throws DeviceException {
        KStruct hdr = arg.copyFrom(20, 20);
        int flags = hdr.u32(4);
        int index = hdr.u32(8);
        if ((flags & 1) == 0) {
            throw Errors.errno(ctx.name(), arg.call() + " with data flags 0x" + Integer.toHexString(flags & 7)
                    + " (the simulation models DATA_NONE only)", Errno.EINVAL);
        }
        int action = flags & 0x38;
        boolean handled = index == 0 ? action == 8 || action == 16 || action == 32 : index == 1 && action == 32;
        if (!handled) {
            throw Errors.errno(ctx.name(), arg.call() + " for irq index " + Integer.toUnsignedString(index)
                    + " action 0x" + Integer.toHexString(action), Errno.ENOTTY);
        }
        return 0;
    }

    private int regionInfo(UserArg arg) throws DeviceException {
        KStruct info = arg.copyFrom(RI_SIZEOF, RI_SIZEOF);
        if (KStruct.below(info.u32(RI_ARGSZ), RI_SIZEOF)) {
            throw Errors.errno(ctx.name(), arg.call() + " with argsz "
                    + Integer.toUnsignedString(info.u32(RI_ARGSZ)) + " < 32", Errno.EINVAL);
        }
        int index = info.u32(RI_INDEX);
        long offset = Integer.toUnsignedLong(index) << 40;
        KStruct caps = null;
        int flags;
        long size;
        switch (index) {
            case VfioCore.PCI_CONFIG_REGION_INDEX -> {
                size = CFG_SPACE_SIZE;
                flags = Vfio.REGION_INFO_FLAG_READ | Vfio.REGION_INFO_FLAG_WRITE;
            }
            case 0 -> {
                size = BAR0_SIZE;
                flags = Vfio.REGION_INFO_FLAG_READ | Vfio.REGION_INFO_FLAG_WRITE;
            }
            case 2 -> {
                size = APERTURE_SIZE;
                flags = Vfio.REGION_INFO_FLAG_CAPS | Vfio.REGION_INFO_FLAG_MMAP | Vfio.REGION_INFO_FLAG_READ
                        | Vfio.REGION_INFO_FLAG_WRITE;
                caps = KStruct.zeroed(32).putU16(0, Vfio.REGION_INFO_CAP_SPARSE_MMAP).putU16(2, 1).putU32(4, 0)
                        .putU32(8, 1).putU32(12, 0).putU64(16, VGPU_APERTURE_OFFSET).putU64(24, VGPU_APERTURE_SIZE);
            }
            case 1, 3, 4, 5, 6, 8 -> {
                size = 0;
                flags = 0;
            }
            default -> {
                if (!KStruct.below(index, NUM_REGIONS)) {
                    throw Errors.errno(ctx.name(), arg.call() + " for region " + Integer.toUnsignedString(index)
                            + " (GVT-g has regions 0-10)", Errno.EINVAL);
                }
                boolean edid = index == EDID_INDEX;
                size = edid ? EDID_SIZE : OPREGION_SIZE;
                flags = edid ? Vfio.REGION_INFO_FLAG_READ | Vfio.REGION_INFO_FLAG_WRITE | Vfio.REGION_INFO_FLAG_CAPS
                        : Vfio.REGION_INFO_FLAG_READ;
                caps = KStruct.zeroed(16).putU16(0, Vfio.REGION_INFO_CAP_TYPE).putU16(2, 1).putU32(4, 0)
                        .putU32(8, edid ? Vfio.REGION_TYPE_GFX : OPREGION_TYPE)
                        .putU32(12, edid ? Vfio.REGION_SUBTYPE_GFX_EDID : OPREGION_SUBTYPE);
            }
        }
        info.putU64(RI_OFFSET, offset).putU64(RI_SIZE, size).putU32(RI_FLAGS, flags);
        if (caps != null) {
            info.putU32(RI_FLAGS, flags | Vfio.REGION_INFO_FLAG_CAPS);
            long needed = RI_SIZEOF + caps.size();
            if (KStruct.below(info.u32(RI_ARGSZ), needed)) {
                info.putU32(RI_ARGSZ, (int) needed).putU32(RI_CAP_OFFSET, 0);
            } else {
                arg.copyTo(caps, 0, RI_SIZEOF, caps.size());
                info.putU32(RI_CAP_OFFSET, RI_SIZEOF);
            }
        }
        arg.copyTo(info, RI_SIZEOF);
        return 0;
    }

    private void query(KStruct plane, String call) throws DeviceException {
        if (PlaneStruct.probed(plane, DMABUF, "GVT-g", ctx.name(), call)) {
            return;
        }
        synchronized (lock) {
            int type = plane.u32(DRM_PLANE_TYPE);
            FbInfo info;
            if (type == DRM_PLANE_TYPE_PRIMARY) {
                if (!primaryEnabled) {
                    return; // -ENODEV inside the driver: "plane isn't ready", the struct is not written
                }
                animateTick();
                info = primaryInfo();
            } else if (type == DRM_PLANE_TYPE_CURSOR) {
                if (!cursorVisible) {
                    return;
                }
                info = cursorInfo();
            } else {
                throw Errors.errno(ctx.name(), call + " for plane type " + Integer.toUnsignedString(type)
                        + " (GVT-g has primary and cursor planes)", Errno.EINVAL);
            }
            Obj obj = null;
            for (Obj o : objs) {
                if (o.key.equals(info.key())) {
                    obj = o;
                    break;
                }
            }
            if (obj == null) {
                obj = new Obj(lowestFreeId(), info.key(), info.fb().mem);
                info.fb().mem.retain();
                objs.add(obj);
            } else if (!obj.initref) {
                obj.initref = true;
            }
            FbKey key = info.key();
            plane.putU32(DRM_FORMAT, key.format()).putU64(DRM_FORMAT_MOD, key.modifier()).putU32(WIDTH, key.width())
                    .putU32(HEIGHT, key.height()).putU32(STRIDE, info.stride()).putU32(SIZE, (int) key.size())
                    .putU32(X_POS, info.xPos()).putU32(Y_POS, info.yPos()).putU32(X_HOT, (int) info.xHot())
                    .putU32(Y_HOT, (int) info.yHot()).putU32(BUFFER_ID, obj.id);
        }
    }

    private FbInfo primaryInfo() {
        GuestFb fb = buffers[front];
        int stride = stride();
        long size = primaryBytes();
        return new FbInfo(new FbKey(fb.start, size, modifier.value(), format.fourcc(), width, height), fb, stride, 0, 0,
                0, 0);
    }

    private FbInfo cursorInfo() {
        int stride = cursorSize * 4;
        long size = (long) stride * cursorSize;
        boolean hot = hotX <= cursorSize && hotY <= cursorSize; // validate_hotspot uses <=
        int x = cursorSignDropped ? Math.abs(cursorX) : cursorX;
        int y = cursorSignDropped ? Math.abs(cursorY) : cursorY;
        return new FbInfo(new FbKey(cursorFb.start, size, 0, DrmFormat.ARGB8888.fourcc(), cursorSize, cursorSize),
                cursorFb, stride, x, y, hot ? hotX : UINT_MAX, hot ? hotY : UINT_MAX);
    }

    private int lowestFreeId() {
        int id = 1;
        boolean taken = true;
        while (taken) {
            taken = false;
            for (Obj o : objs) {
                if (o.id == id) {
                    taken = true;
                    id++;
                    break;
                }
            }
        }
        return id;
    }

    private int getDmabuf(SimKernel k, long id, String call) throws DeviceException {
        ctx.countDmabufGet(id);
        DmaBufFile file;
        synchronized (lock) {
            Obj obj = null;
            for (Obj o : objs) {
                if (Integer.toUnsignedLong(o.id) == id) {
                    obj = o;
                    break;
                }
            }
            if (obj == null) {
                throw Errors.errno(ctx.name(), call + " for id " + id + " (GVT-g knows no such buffer object)",
                        Errno.EINVAL);
            }
            file = new DmaBufFile(ctx, obj.id, true, pageAlign(obj.key.size()), obj.mem, 0, new Exporter(obj));
            obj.live++;
            obj.initref = false;
        }
        return k.install(file, true);
    }

    /** The i915 dma-buf ops for GVT proxy objects: no CPU mapping (no shmem backing). */
    private final class Exporter implements DmaBufFile.Exporter {
        private final Obj obj;

        Exporter(Obj obj) {
            this.obj = obj;
        }

        @Override
        public void checkMmap(DmaBufFile buf, int prot, boolean vmShared) throws DeviceException {
            if (!dmabufMmapAllowed) {
                throw Errors.errno(ctx.name(), "mmap of " + buf.label()
                        + " (GVT-g dma-bufs are proxy objects without CPU backing)", Errno.ENODEV);
            }
        }

        @Override
        public void released(DmaBufFile buf) {
            synchronized (lock) {
                buf.unpinBacking();
                obj.live--;
                if (obj.live == 0 && !obj.initref && objs.remove(obj)) {
                    obj.mem.release();
                }
            }
        }
    }

    // ---- region access ------------------------------------------------------------------------

    @Override
    public int read(long pos, ByteBuffer dst) throws DeviceException {
        return ChunkedAccess.read(ctx.name(), pos, dst, this::access);
    }

    @Override
    public int write(long pos, ByteBuffer src) throws DeviceException {
        return ChunkedAccess.write(ctx.name(), pos, src, this::access);
    }

    private boolean access(long pos, byte[] buf, int count, boolean write) {
        int index = (int) (pos >>> 40);
        long p = pos & ((1L << 40) - 1);
        synchronized (lock) {
            switch (index) {
                case VfioCore.PCI_CONFIG_REGION_INDEX -> {
                    if (p + count > CFG_SPACE_SIZE) {
                        return false;
                    }
                    if (write) {
                        System.arraycopy(buf, 0, config, (int) p, count);
                    } else {
                        System.arraycopy(config, (int) p, buf, 0, count);
                    }
                    return true;
                }
                case 0 -> {
                    if (p + count > BAR0_SIZE) {
                        return false;
                    }
                    if (!write) {
                        java.util.Arrays.fill(buf, 0, count, (byte) 0);
                    }
                    return true;
                }
                case OPREGION_INDEX -> {
                    if (write || p >= OPREGION_SIZE) {
                        return false;
                    }
                    int n = (int) Math.min(count, OPREGION_SIZE - p);
                    System.arraycopy(opregion, (int) p, buf, 0, n);
                    return true;
                }
                case EDID_INDEX -> {
                    return edid(p, buf, count, write);
                }
                default -> {
                    return false; // BAR1/3/4/5, ROM, VGA, the aperture (not modelled), beyond the regions
                }
            }
        }
    }

    private boolean edid(long p, byte[] buf, int count, boolean write) {
        ByteBuffer b = ByteBuffer.wrap(buf).order(ByteOrder.LITTLE_ENDIAN);
        if (p < edidRegs.u32(0)) {
            if (p + count > Vfio.GFX_EDID_SIZE || count != 4) {
                return false;
            }
            int off = (int) p;
            if (!write) {
                b.putInt(0, edidRegs.u32(off));
                return true;
            }
            int data = b.getInt(0);
            if (off == 20) {
                if (data == Vfio.EDID_LINK_UP) {
                    if (!Edid.valid(edidBlob)) {
                        return false;
                    }
                } else if (data != Vfio.EDID_LINK_DOWN) {
                    return false;
                }
                edidRegs.putU32(20, data);
                return true;
            }
            if (off == 8) {
                if (Integer.toUnsignedLong(data) > Integer.toUnsignedLong(edidRegs.u32(4))) {
                    return false; // "EDID size is bigger than edid_max_size": EINVAL
                }
                edidRegs.putU32(8, data);
                return true;
            }
            return false; // read-only registers: EPERM
        }
        long off = p - EDID_BLOB_OFFSET;
        if (off + count > Integer.toUnsignedLong(edidRegs.u32(8))) {
            return false;
        }
        if (write) {
            System.arraycopy(buf, 0, edidBlob, (int) off, count);
        } else {
            System.arraycopy(edidBlob, (int) off, buf, 0, count);
        }
        return true;
    }

    @Override
    public Mapping mmap(SimKernel k, SimFile file, long length, int prot, int flags, boolean vmShared, long offset)
            throws DeviceException {
        int index = (int) (offset >>> 40);
        String call = "mmap of region " + index + " at 0x" + Long.toHexString(offset);
        if (index >= 6 || !vmShared || index != 2) {
            throw Errors.errno(ctx.name(), call + " (GVT-g maps shared mappings of the BAR2 aperture only)",
                    Errno.EINVAL);
        }
        throw Errors.errno(ctx.name(), call + " (the simulation does not model the GTT aperture)", Errno.EINVAL);
    }
}
