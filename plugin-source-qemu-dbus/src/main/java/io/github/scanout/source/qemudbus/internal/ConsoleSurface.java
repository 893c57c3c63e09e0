package io.github.scanout.source.qemudbus.internal;

import io.github.scanout.api.DrmFormat;
import io.github.scanout.api.Modifier;
import io.github.scanout.api.PlaneInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * One QEMU console's picture as the latest {@code Scanout} and the {@code Update}s after it made
 * it, kept in a fixed block of memory (the region the device offers, {@link QemuDbusKernel}).
 * Every message is a device answer, hostile until checked: a message that breaks a rule is
 * refused with one line ({@link QemuMessageException}) and changes nothing, so a bad message
 * neither ends the connection nor leaks anything.
 *
 * <p>Rules: {@code Scanout}: width and height 1 to {@value #MAX_DIMENSION}, a pixman format of
 * {@link PixmanFormat}, stride from width x bytes per pixel to {@value #MAX_STRIDE},
 * stride x height within the memory, and exactly stride x height bytes of data.
 * {@code Update}: a {@code Scanout} before it, the same format, x, y, width and height not
 * negative and the rectangle inside the scanout, stride from width x bytes per pixel to
 * {@value #MAX_STRIDE}, and exactly stride x height bytes of data (QEMU 7.2 sends the
 * rectangle's rows packed: stride = width x bytes per pixel). An Update that does not fit may
 * first switch the surface to the console's current size ({@link #switched}). Arithmetic is in
 * 64 bits, so no product overflows.
 *
 * <p>{@code ScanoutDMABUF} (QEMU's {@code gl=on}) hands an fd instead of pixels. The fd stays
 * the caller's: one dbus-java received through junixsocket is closed by junixsocket when the
 * connection's socket closes (it records every fd it receives and closes those at the socket's
 * close, so closing it here too would close whatever fd reused the number by then). The surface
 * checks it ({@link #scanoutDmabuf}) and keeps its own dup of an accepted one, shown as a
 * dma-buf plane ({@link #dmaBuf}) until the next scanout of either kind, {@code Disable} or
 * {@link #close}, each of which closes the dup. As the received fds stay open until the
 * connection ends, more than {@value #MAX_RECEIVED_FDS} of them on one connection ask for the
 * device to be opened again ({@link #onReopen}), which releases them.
 *
 * <p>Threads: thread-safe; a write and {@link #close} exclude each other, so nothing writes into
 * the memory once {@link #close} has returned (its owner unmaps it then).
 */
final class ConsoleSurface {
    /** The largest width or height, as the plane validator's. */
    static final int MAX_DIMENSION = 16384;
    /** The largest stride, as the plane validator's (1 MiB). */
    static final int MAX_STRIDE = 1 << 20;

    /** The current plane: what QUERY_GFX_PLANE answers. */
    record Plane(DrmFormat format, int width, int height, int stride) {
        long size() {
            return (long) stride * height;
        }
    }

    /** Where the console's current size is read when an Update does not fit the scanout (QEMU's Width, Height). */
    interface ConsoleSize {
        /** @return {width, height} as QEMU answered them (checked by the caller) */
        long[] current() throws IOException;
    }

    /** The largest cursor QEMU may define, as the plane validator's (256 x 256). */
    static final int MAX_CURSOR = 256;
    /** Bytes of the largest cursor: ARGB8888. */
    static final int CURSOR_BYTES = MAX_CURSOR * MAX_CURSOR * 4;
    /** How far off the screen the pointer may be said to be (QEMU's coordinates are ints). */
    static final int MAX_POINTER = 65536;

    /** The cursor plane: QEMU's last CursorDefine, placed by its last MouseSet. */
    record CursorPlane(int width, int height, int hotX, int hotY, int x, int y) {
        DrmFormat format() {
            return DrmFormat.ARGB8888;
        }

        int stride() {
            return width * 4;
        }

        long size() {
            return (long) stride() * height;
        }
    }

    /**
     * The fd calls a dma-buf scanout needs (the host kernel's in the device, fakes in the fuzz
     * target and tests).
     */
    interface Fds {
        /** @return what the fd is, as {@code /proc/self/fd} names it; IOException when it is not open */
        String describe(int fd) throws IOException;

        /** @return the size of what the fd holds (lseek to its end) */
        long size(int fd) throws IOException;

        /** @return the memfd seals of the fd ({@code F_GET_SEALS}) */
        long seals(int fd) throws IOException;

        /** @return a new fd (close-on-exec) for the same buffer */
        int dup(int fd) throws IOException;

        /** Closes the fd; a failure is the caller's to ignore (the fd is gone either way). */
        void close(int fd);

        /**
         * Reads {@code dst.remaining()} bytes at {@code offset} of the fd into {@code dst} (a
         * {@code ScanoutMap}'s memfd).
         *
         * @throws IOException when they cannot all be read
         */
        default void read(int fd, ByteBuffer dst, long offset) throws IOException {
            throw new IOException("this surface reads no shared memory");
        }
    }

    /** {@code F_SEAL_SHRINK} of {@code <linux/fcntl.h>}: the memfd cannot get smaller. */
    static final long F_SEAL_SHRINK = 0x0002;

    /** Received fds one connection may leave open before the device is opened again (see the class comment). */
    static final int MAX_RECEIVED_FDS = 256;

    /** Fds for surfaces that are never handed one (tests of the other messages): every fd is refused. */
    static final Fds NO_FDS = new Fds() {
        @Override
        public String describe(int fd) throws IOException {
            throw new IOException("this surface takes no fds");
        }

        @Override
        public long size(int fd) throws IOException {
            throw new IOException("this surface takes no fds");
        }

        @Override
        public long seals(int fd) throws IOException {
            throw new IOException("this surface takes no fds");
        }

        @Override
        public int dup(int fd) throws IOException {
            throw new IOException("this surface takes no fds");
        }

        @Override
        public void close(int fd) {
        }
    };

    /** What the console shows: nothing yet, region-like pixels, or a dma-buf. */
    enum Kind {
        NONE, REGION, DMABUF
    }

    /** The current dma-buf plane: what QUERY_GFX_PLANE with DMABUF answers; {@code id} is its dmabuf_id. */
    record DmaBufPlane(DrmFormat format, Modifier modifier, int width, int height, int stride, long size, long id) {}

    /** The largest plane size the ABI's {@code size} field (u32) holds. */
    static final long MAX_PLANE_SIZE = 0xFFFF_FFFFL;

    private final ByteBuffer memory;
    private final ByteBuffer cursorMemory;
    private final ConsoleSize size;
    private final Fds fds;
    private int dmaFd = -1;
    /** The surface's dup of the last ScanoutMap's memfd, and where its picture starts; -1 when none. */
    private int mapFd = -1;
    private long mapOffset;
    private DmaBufPlane dmaPlane;
    private long lastDmaBufId;
    private long dmaUpdates;
    private Kind kind = Kind.NONE;
    private boolean anyMessage;
    private Kind offered;
    private Consumer<String> reopen;
    private long receivedFds;
    private CursorPlane cursor;
    private boolean pointerShown;
    private int pointerX;
    private int pointerY;
    private Plane plane;
    private long pixman;
    private boolean closed;
    private static final byte[] BLACK = new byte[64 * 1024];

    private long switches;
    /** Where what QEMU said changed is recorded, or null. */
    private ConsoleDamage damage;
    private long accepted;
    private long refused;

    /** A surface that never asks for the console's size: an Update must fit the last Scanout. */
    ConsoleSurface(ByteBuffer memory) {
        this(memory, null);
    }

    /** A surface whose cursor image lives on the heap (tests and the fuzz target). */
    ConsoleSurface(ByteBuffer memory, ConsoleSize size) {
        this(memory, ByteBuffer.allocate(CURSOR_BYTES), size);
    }

    /**
     * @param memory where the pixels go, from index 0 to its capacity (a view of the region)
     * @param cursorMemory where the cursor image goes, {@value #CURSOR_BYTES} bytes (the cursor region)
     * @param size where the console's current size is read when an Update does not fit (or has
     *     another format), or null to refuse such an Update
     */
    ConsoleSurface(ByteBuffer memory, ByteBuffer cursorMemory, ConsoleSize size) {
        this(memory, cursorMemory, size, NO_FDS);
    }

    /**
     * @param fds the calls on the fds a {@code ScanoutDMABUF} hands over
     */
    ConsoleSurface(ByteBuffer memory, ByteBuffer cursorMemory, ConsoleSize size, Fds fds) {
        this.fds = Objects.requireNonNull(fds, "fds");
        this.memory = Objects.requireNonNull(memory, "memory").duplicate();
        this.cursorMemory = Objects.requireNonNull(cursorMemory, "cursorMemory").duplicate();
        if (this.cursorMemory.capacity() < CURSOR_BYTES) {
            throw new IllegalArgumentException("the cursor memory holds " + cursorMemory.capacity() + " bytes, not "
                + CURSOR_BYTES);
        }
        this.size = size;
    }

    /** Records from now on what each message changes (after its pixels are written); all unknown first. */
    synchronized void reportDamageTo(ConsoleDamage log) {
        damage = log;
        log.unknown();
    }

    /** The memory's size in bytes: the region's size. */
    long capacity() {
        return memory.capacity();
    }

    /** The plane the latest accepted Scanout made, or null before one and after Disable. */
    synchronized Plane plane() {
        return plane;
    }

    /** Messages accepted and refused so far. */
    synchronized long[] counts() {
        return new long[] {accepted, refused};
    }

    /** {@code Scanout(uuuuay)}: a new picture, whole. */
    synchronized void scanout(long width, long height, long stride, long pixmanFormat, byte[] data)
            throws QemuMessageException {
        try {
            if (closed) {
                return;
            }
            String m = "Scanout";
            Plane next = pixelPlane(m, width, height, stride, pixmanFormat);
            long size = next.size();
            dataRule(m, data, size, "stride x height");
            memory.put(0, data, 0, data.length);
            plane = next;
            pixman = pixmanFormat;
            if (damage != null) {
                damage.add(0, 0, (int) width, (int) height);
            }
            dropShared();
            shows(Kind.REGION);
            accepted++;
        } catch (QemuMessageException e) {
            refused++;
            throw e;
        }
    }

    /** {@code Update(iiiiuuay)}: a damaged rectangle of the current picture. */
    synchronized void update(long x, long y, long width, long height, long stride, long pixmanFormat, byte[] data)
            throws QemuMessageException {
        try {
            if (closed) {
                return;
            }
            String m = "Update";
            notNegative(m, "x", x);
            notNegative(m, "y", y);
            notNegative(m, "width", width);
            notNegative(m, "height", height);
            Plane p = plane;
            long format = pixman;
            if (p == null || pixmanFormat != pixman || x + width > p.width() || y + height > p.height()) {
                p = switched(x, y, width, height, pixmanFormat);
                if (p != plane) {
                    format = pixmanFormat;
                }
            }
            if (p == null) {
                throw new QemuMessageException(m, "rectangle", x + "," + y + " " + width + "x" + height,
                    "comes with no Scanout before it (or after Disable)");
            }
            if (pixmanFormat != format) {
                throw new QemuMessageException(m, "pixman format", PixmanFormat.describe(pixmanFormat),
                    "differs from the scanout's " + PixmanFormat.describe(format));
            }
            if (x + width > p.width()) {
                throw new QemuMessageException(m, "x + width", Long.toString(x + width), "is more than the scanout's "
                    + "width " + p.width());
            }
            if (y + height > p.height()) {
                throw new QemuMessageException(m, "y + height", Long.toString(y + height), "is more than the scanout's "
                    + "height " + p.height());
            }
            strideRule(m, stride, width, p.format());
            dataRule(m, data, stride * height, "stride x height");
            if (p != plane) {
                switchTo(p, pixmanFormat);
            }
            int bpp = p.format().bytesPerPixel();
            int row = (int) width * bpp;
            for (int r = 0; r < height; r++) {
                memory.put((int) ((y + r) * p.stride() + x * bpp), data, (int) (r * stride), row);
            }
            if (damage != null) {
                damage.add((int) x, (int) y, (int) width, (int) height);
            }
            accepted++;
        } catch (QemuMessageException e) {
            refused++;
            throw e;
        }
    }

    /**
     * QEMU 7.2 sends a {@code Scanout} only for an update of a whole surface: when the guest
     * switches modes (SeaBIOS from 640 x 480 graphics to 720 x 400 text) the new surface reaches
     * the listener only as {@code Update}s of it. So an Update that does not fit the scanout, or
     * has another format, makes the surface ask QEMU for the console's size: when that size (1 to
     * {@value #MAX_DIMENSION} each, within the memory at a packed stride) holds the rectangle and
     * the format is one Scanout shows, and the Update passes the rules against that plane, the
     * plane becomes that size and format, black until Updates draw it ({@link #switchTo}), and the
     * Update is applied. Otherwise the plane stays and the Update is refused by the rules.
     *
     * @return the plane to check the Update against: a new one, or the current one (null before a
     *     Scanout) when the console's size does not help
     */
    private Plane switched(long x, long y, long width, long height, long pixmanFormat) {
        Plane old = plane;
        if (size == null) {
            return old;
        }
        DrmFormat format = PixmanFormat.drm(pixmanFormat).orElse(null);
        long[] wh;
        try {
            wh = size.current();
        } catch (IOException | RuntimeException e) {
            return old;
        }
        if (format == null || wh == null || wh.length != 2 || wh[0] < 1 || wh[0] > MAX_DIMENSION || wh[1] < 1
                || wh[1] > MAX_DIMENSION || x + width > wh[0] || y + height > wh[1]) {
            return old;
        }
        long stride = wh[0] * format.bytesPerPixel();
        if (stride * wh[1] > memory.capacity() || (old != null && old.width() == wh[0] && old.height() == wh[1]
                && pixmanFormat == pixman)) {
            return old;
        }
        return new Plane(format, (int) wh[0], (int) wh[1], (int) stride);
    }

    /** Makes {@code p} (from {@link #switched}) the plane, black. */
    private void switchTo(Plane p, long pixmanFormat) {
        for (int i = 0; i < p.size(); i += BLACK.length) {
            memory.put(i, BLACK, 0, (int) Math.min(BLACK.length, p.size() - i));
        }
        plane = p;
        pixman = pixmanFormat;
        switches++;
        if (damage != null) {
            damage.unknown();
        }
        dropShared();
        shows(Kind.REGION);
    }

    /** Surfaces switched to by an Update (see {@link #switched}). */
    synchronized long switches() {
        return switches;
    }

    /**
     * {@code CursorDefine(iiiiay)}: a new cursor image, ARGB8888 (QEMU's cursor words, B, G, R, A
     * in memory): width and height 1 to {@value #MAX_CURSOR}, the hot spot inside it, exactly
     * width x height x 4 bytes. Where it shows is the last {@code MouseSet}'s.
     */
    synchronized void cursorDefine(long width, long height, long hotX, long hotY, byte[] data)
            throws QemuMessageException {
        try {
            if (closed) {
                return;
            }
            String m = "CursorDefine";
            if (width < 1 || width > MAX_CURSOR) {
                throw new QemuMessageException(m, "width", Long.toString(width), "is not 1 to " + MAX_CURSOR);
            }
            if (height < 1 || height > MAX_CURSOR) {
                throw new QemuMessageException(m, "height", Long.toString(height), "is not 1 to " + MAX_CURSOR);
            }
            if (hotX < 0 || hotX >= width) {
                throw new QemuMessageException(m, "hot x", Long.toString(hotX), "is outside the cursor (0 to "
                    + (width - 1) + ")");
            }
            if (hotY < 0 || hotY >= height) {
                throw new QemuMessageException(m, "hot y", Long.toString(hotY), "is outside the cursor (0 to "
                    + (height - 1) + ")");
            }
            dataRule(m, data, width * height * 4, "width x height x 4");
            cursorMemory.put(0, data, 0, data.length);
            cursor = new CursorPlane((int) width, (int) height, (int) hotX, (int) hotY, pointerX - (int) hotX,
                pointerY - (int) hotY);
            accepted++;
        } catch (QemuMessageException e) {
            refused++;
            throw e;
        }
    }

    /**
     * {@code MouseSet(iii)}: the pointer's position (where the hot spot is) and whether it shows;
     * x and y from -{@value #MAX_POINTER} to {@value #MAX_POINTER}.
     */
    synchronized void mouseSet(long x, long y, long on) throws QemuMessageException {
        try {
            if (closed) {
                return;
            }
            if (x < -MAX_POINTER || x > MAX_POINTER) {
                throw new QemuMessageException("MouseSet", "x", Long.toString(x), "is not -" + MAX_POINTER + " to "
                    + MAX_POINTER);
            }
            if (y < -MAX_POINTER || y > MAX_POINTER) {
                throw new QemuMessageException("MouseSet", "y", Long.toString(y), "is not -" + MAX_POINTER + " to "
                    + MAX_POINTER);
            }
            pointerShown = on != 0;
            pointerX = (int) x;
            pointerY = (int) y;
            CursorPlane c = cursor;
            if (c != null) {
                cursor = new CursorPlane(c.width(), c.height(), c.hotX(), c.hotY(), (int) x - c.hotX(), (int) y - c.hotY());
            }
            accepted++;
        } catch (QemuMessageException e) {
            refused++;
            throw e;
        }
    }

    /** The cursor plane: null before a CursorDefine, while the pointer is hidden, and after close. */
    synchronized CursorPlane cursor() {
        return pointerShown ? cursor : null;
    }

    /** {@code Disable()}: the console shows nothing; an Update before the next Scanout is refused. */
    synchronized void disable() {
        if (!closed) {
            plane = null;
            if (damage != null) {
                damage.unknown();
            }
            dropShared();
            anyMessage = true;
            notifyAll();
            accepted++;
        }
    }

    /** No write reaches the memory after this returns; the dma-buf fd, if any, is closed. */
    synchronized void close() {
        closed = true;
        plane = null;
        cursor = null;
        dropShared();
        notifyAll();
    }

    /**
     * {@code ScanoutDMABUF(huuuutb)}: a new picture in a dma-buf. Rules: the fd open and a dma-buf
     * (or a memfd: plain shared memory, which needs no sync; {@code /proc/self/fd} tells them
     * apart; a memfd must be sealed against shrinking, or its sender could cut it under the
     * mapping and a read of the missing pages would be SIGBUS), width and height 1 to {@value #MAX_DIMENSION}, a known DRM fourcc other than C8
     * (no palette comes with it), a modifier the plane validator accepts (LINEAR or a known Intel
     * tiling), stride from width x bytes per pixel to {@value #MAX_STRIDE} (a multiple of the
     * tile width when tiled), the layout's size at most {@value #MAX_PLANE_SIZE} bytes (the ABI's
     * u32) and within what the fd holds, and {@code y0_top} true: a bottom-up buffer (OpenGL's
     * row order) would show upside down, and no plane in the VFIO ABI says "flipped", so it is
     * refused. On acceptance the surface keeps a dup of {@code fd}, the previous scanout (pixels
     * or dma-buf) is dropped and the plane gets a new dmabuf_id. {@code fd} itself stays the
     * caller's, accepted or refused (see the class comment). After {@link #close} nothing changes.
     */
    synchronized void scanoutDmabuf(int fd, long width, long height, long stride, long fourcc, long modifier,
            boolean y0Top) throws QemuMessageException {
        if (closed) {
            return;
        }
        received(fd);
        try {
            String m = "ScanoutDMABUF";
            String what = describe(m, fd);
            if (!isDmaBuf(what) && !isMemfd(what)) {
                throw new QemuMessageException(m, "fd", fd + " (" + what + ")", "is not a dma-buf or a memfd");
            }
            if (isMemfd(what)) {
                long seals;
                try {
                    seals = fds.seals(fd);
                } catch (IOException e) {
                    seals = 0;
                }
                if ((seals & F_SEAL_SHRINK) == 0) {
                    throw new QemuMessageException(m, "fd", fd + " (" + what + ")", "is a memfd without F_SEAL_SHRINK: its"
                        + " sender could shrink it under the mapping (SIGBUS)");
                }
            }
            dimension(m, "width", width);
            dimension(m, "height", height);
            DrmFormat format = new DrmFormat((int) fourcc);
            if ((fourcc & 0xFFFF_FFFFL) != fourcc || !format.isKnown() || format.equals(DrmFormat.C8)) {
                throw new QemuMessageException(m, "fourcc", String.format("0x%08x", fourcc), "is not one Scanout shows:"
                    + " expected one of " + DrmFormat.known().stream().filter(f -> !f.equals(DrmFormat.C8)).toList());
            }
            Modifier mod = new Modifier(modifier);
            if (!mod.isLinear() && !mod.isKnownTiling()) {
                throw new QemuMessageException(m, "modifier", "0x" + Long.toHexString(modifier),
                    "is not LINEAR, I915_X_TILED, I915_Y_TILED or I915_YF_TILED");
            }
            strideRule(m, stride, width, format);
            if (!mod.isLinear() && stride % mod.tileWidthBytes() != 0) {
                throw new QemuMessageException(m, "stride", Long.toString(stride), "is not a multiple of the "
                    + mod.tileWidthBytes() + "-byte tile width of " + mod);
            }
            long required = PlaneInfo.requiredBytes(format, mod, width, height, stride);
            if (required > MAX_PLANE_SIZE) {
                throw new QemuMessageException(m, "layout size", Long.toString(required), "is more than the "
                    + MAX_PLANE_SIZE + " bytes a plane's size holds");
            }
            long held = sizeOf(m, fd);
            if (held < required) {
                throw new QemuMessageException(m, "fd size", Long.toString(held), "is less than the layout needs ("
                    + required + " bytes for " + width + " x " + height + ", stride " + stride + ")");
            }
            if (!y0Top) {
                throw new QemuMessageException(m, "y0_top", "false", "(a bottom-up buffer) is not shown: Scanout "
                    + "reads top-down planes only");
            }
            int own = dupOf(m, fd);
            dropShared();
            plane = null;
            dmaFd = own;
            dmaPlane = new DmaBufPlane(format, mod, (int) width, (int) height, (int) stride, required,
                lastDmaBufId = (lastDmaBufId + 1) & 0xFFFF_FFFFL); // dmabuf_id is a u32
            shows(Kind.DMABUF);
            if (damage != null) {
                damage.unknown();
            }
            accepted++;
        } catch (QemuMessageException e) {
            refused++;
            throw e;
        }
    }

    /**
     * {@code UpdateDMABUF(iiii)}: QEMU drew this rectangle of the current dma-buf. Rules: a dma-buf
     * scanout before it, x, y, width and height not negative, the rectangle inside the buffer.
     * The pixels are already in the shared buffer; the update is counted ({@link #dmaBufUpdates}) and
     * is the damage the capture loop takes ({@link ConsoleDamage}).
     */
    synchronized void updateDmabuf(long x, long y, long width, long height) throws QemuMessageException {
        if (closed) {
            return;
        }
        try {
            String m = "UpdateDMABUF";
            DmaBufPlane d = dmaPlane;
            rectangle(m, x, y, width, height, d == null ? -1 : d.width(), d == null ? -1 : d.height(), "dma-buf's",
                "ScanoutDMABUF before it (or after Disable or a Scanout)");
            dmaUpdates++;
            if (damage != null) {
                damage.add((int) x, (int) y, (int) width, (int) height);
            }
            accepted++;
        } catch (QemuMessageException e) {
            refused++;
            throw e;
        }
    }

    /**
     * {@code ScanoutMap(huuuuu)} ({@code org.qemu.Display1.Listener.Unix.Map}, QEMU 8.0 and later):
     * a new picture in QEMU's shared memory, read into the region as a {@code Scanout}'s bytes
     * would be, so that the device stays a region device and {@link #updateMap} copies only what
     * QEMU says changed. Rules: the fd a memfd (QEMU 10's is {@code /memfd:displaysurface}, not
     * sealed: Scanout reads it with {@code pread} and never maps it, so a memfd cut short ends a
     * read with a refusal, not a SIGBUS), width and height 1 to {@value #MAX_DIMENSION}, a pixman
     * format Scanout shows, the stride rule, the picture within the region and within the memfd
     * from {@code offset}. On acceptance the surface
     * keeps a dup of the fd (never the received one: the connection's socket closes that) until
     * the next scanout, {@code Disable} or {@link #close}.
     */
    synchronized void scanoutMap(int fd, long offset, long width, long height, long stride, long pixmanFormat)
            throws QemuMessageException {
        if (closed) {
            return;
        }
        received(fd);
        try {
            String m = "ScanoutMap";
            String what = describe(m, fd);
            if (!isMemfd(what)) {
                throw new QemuMessageException(m, "fd", fd + " (" + what + ")", "is not a memfd");
            }
            Plane next = pixelPlane(m, width, height, stride, pixmanFormat);
            long size = next.size();
            long held = sizeOf(m, fd);
            if (offset + size > held) {
                throw new QemuMessageException(m, "offset + stride x height", Long.toString(offset + size),
                    "is more than the " + held + " bytes the memfd holds");
            }
            int own = dupOf(m, fd);
            try {
                fds.read(own, memory.slice(0, (int) size), offset);
            } catch (IOException e) {
                closeQuietly(own);
                if (damage != null) {
                    damage.unknown(); // part of the region may hold the new picture now
                }
                throw new QemuMessageException(m, "fd", Integer.toString(fd), "cannot be read: " + e.getMessage());
            }
            dropShared();
            mapFd = own;
            mapOffset = offset;
            plane = next;
            pixman = pixmanFormat;
            shows(Kind.REGION);
            if (damage != null) {
                damage.add(0, 0, (int) width, (int) height);
            }
            accepted++;
        } catch (QemuMessageException e) {
            refused++;
            throw e;
        }
    }

    /**
     * {@code UpdateMap(iiii)}: QEMU changed this rectangle of the shared picture; its rows are read
     * into the region (the whole band at once when the rectangle is as wide as the picture). Rules:
     * a {@code ScanoutMap} before it, x, y, width and height not negative, the rectangle inside
     * the picture.
     */
    synchronized void updateMap(long x, long y, long width, long height) throws QemuMessageException {
        if (closed) {
            return;
        }
        try {
            String m = "UpdateMap";
            Plane p = mapFd < 0 ? null : plane;
            rectangle(m, x, y, width, height, p == null ? -1 : p.width(), p == null ? -1 : p.height(), "scanout's",
                "ScanoutMap before it (or after Disable or another scanout)");
            int bpp = p.format().bytesPerPixel();
            try {
                if (x == 0 && width == p.width()) {
                    int from = (int) (y * p.stride());
                    fds.read(mapFd, memory.slice(from, (int) (height * p.stride())), mapOffset + from);
                } else {
                    for (long r = y; r < y + height; r++) {
                        int from = (int) (r * p.stride() + x * bpp);
                        fds.read(mapFd, memory.slice(from, (int) (width * bpp)), mapOffset + from);
                    }
                }
            } catch (IOException e) {
                if (damage != null) {
                    damage.add((int) x, (int) y, (int) width, (int) height); // rows before the failure were read
                }
                throw new QemuMessageException(m, "rectangle", x + "," + y + " " + width + "x" + height,
                    "cannot be read from the memfd: " + e.getMessage());
            }
            if (damage != null) {
                damage.add((int) x, (int) y, (int) width, (int) height);
            }
            accepted++;
        } catch (QemuMessageException e) {
            refused++;
            throw e;
        }
    }

    /** The dma-buf plane the latest accepted ScanoutDMABUF made, or null (none, replaced, Disable, close). */
    synchronized DmaBufPlane dmaBuf() {
        return dmaPlane;
    }

    /** UpdateDMABUFs accepted so far. */
    synchronized long dmaBufUpdates() {
        return dmaUpdates;
    }

    /**
     * A new fd for the dma-buf {@code id} (VFIO_DEVICE_GET_GFX_DMABUF), made while the surface
     * holds it, so a concurrent replacement cannot close it first.
     *
     * @throws IOException when {@code id} is not the current dma-buf's (replaced, disabled, closed)
     */
    synchronized int dupDmaBuf(long id) throws IOException {
        DmaBufPlane d = dmaPlane;
        if (d == null || d.id() != id) {
            throw new IOException("dma-buf " + id + " is not the console's current one"
                + (d == null ? " (it shows none)" : " (" + d.id() + ")"));
        }
        return fds.dup(dmaFd);
    }

    /**
     * The kind of buffer the device offers its plane sources (their probes): fixed the first
     * time it is asked, as what the console shows then, after waiting up to {@code waitMillis}
     * for QEMU's first message if none has come (QEMU sends the current picture right after
     * the listener registers). A later scanout of the other kind calls the reopen handler
     * ({@link #onReopen}): the device must be opened again for its sources to fit.
     */
    synchronized Kind offered(long waitMillis) throws InterruptedException {
        if (offered == null) {
            long end = System.nanoTime() + waitMillis * 1_000_000L;
            long left;
            while (!anyMessage && !closed && (left = end - System.nanoTime()) > 0) {
                wait(Math.max(1, left / 1_000_000L));
            }
            offered = kind == Kind.DMABUF ? Kind.DMABUF : Kind.REGION;
        }
        return offered;
    }

    /** What the console shows now (for probes that need not wait and tests). */
    synchronized Kind kind() {
        return kind;
    }

    /**
     * Called once, with a one-line reason, when the device must be opened again: QEMU switched to
     * the kind of scanout the device does not offer, or sent more than
     * {@value #MAX_RECEIVED_FDS} fds on one connection.
     */
    synchronized void onReopen(Consumer<String> handler) {
        this.reopen = handler;
    }

    private void mustReopen(String reason) {
        Consumer<String> h = reopen;
        reopen = null;
        if (h != null) {
            h.accept(reason);
        }
    }

    private void shows(Kind k) {
        Kind was = offered;
        kind = k;
        anyMessage = true;
        notifyAll();
        if (was != null && was != k) {
            mustReopen("QEMU switched the console from " + name(was) + " to " + name(k) + " scanouts; the device is"
                + " opened again to read them");
        }
    }

    private static String name(Kind k) {
        return k == Kind.DMABUF ? "dma-buf" : "pixel";
    }

    /** Closes the surface's dups of what QEMU shared (a dma-buf, a ScanoutMap memfd). */
    private void dropShared() {
        dropDmaBuf();
        if (mapFd >= 0) {
            closeQuietly(mapFd);
        }
        mapFd = -1;
    }

    private void dropDmaBuf() {
        if (dmaFd >= 0) {
            closeQuietly(dmaFd);
        }
        dmaFd = -1;
        dmaPlane = null;
    }

    private void closeQuietly(int fd) {
        if (fd >= 0) {
            fds.close(fd);
        }
    }

    /** {@code /proc/self/fd}'s name of a dma-buf: {@code anon_inode:dmabuf} (older kernels) or {@code /dmabuf:NAME}. */
    static boolean isDmaBuf(String link) {
        return link.equals("anon_inode:dmabuf") || link.startsWith("/dmabuf:");
    }

    /** {@code /proc/self/fd}'s name of a memfd: {@code /memfd:NAME (deleted)}. */
    static boolean isMemfd(String link) {
        return link.startsWith("/memfd:");
    }

    /**
     * The rules of a whole new picture in pixels ({@code Scanout}, {@code ScanoutMap}): width and
     * height 1 to {@value #MAX_DIMENSION}, a pixman format Scanout shows, the stride rule, and
     * stride x height within the region.
     */
    private Plane pixelPlane(String m, long width, long height, long stride, long pixmanFormat)
            throws QemuMessageException {
        dimension(m, "width", width);
        dimension(m, "height", height);
        DrmFormat format = PixmanFormat.drm(pixmanFormat).orElseThrow(() -> new QemuMessageException(m,
            "pixman format", PixmanFormat.describe(pixmanFormat), "is not one Scanout shows: expected "
                + PixmanFormat.accepted()));
        strideRule(m, stride, width, format);
        long size = stride * height;
        if (size > memory.capacity()) {
            throw new QemuMessageException(m, "stride x height", Long.toString(size), "is more than the "
                + memory.capacity() + " bytes the console's region holds");
        }
        return new Plane(format, (int) width, (int) height, (int) stride);
    }

    /** Counts an fd QEMU sent; past {@value #MAX_RECEIVED_FDS} on one connection the device must be opened again. */
    private void received(int fd) {
        if (fd >= 0 && ++receivedFds == MAX_RECEIVED_FDS + 1) {
            mustReopen("QEMU sent " + MAX_RECEIVED_FDS + " fds on this connection, which keeps each open until it"
                + " closes; the device is opened again to release them");
        }
    }

    /** What a received fd is ({@code /proc/self/fd}'s name); refuses none and one not open. */
    private String describe(String m, int fd) throws QemuMessageException {
        if (fd < 0) {
            throw new QemuMessageException(m, "fd", Integer.toString(fd), "is not an fd (none came with the message)");
        }
        try {
            return fds.describe(fd);
        } catch (IOException e) {
            throw new QemuMessageException(m, "fd", Integer.toString(fd), "is not an open fd: " + e.getMessage());
        }
    }

    /** How many bytes a received fd holds. */
    private long sizeOf(String m, int fd) throws QemuMessageException {
        try {
            return fds.size(fd);
        } catch (IOException e) {
            throw new QemuMessageException(m, "fd", Integer.toString(fd), "has no size: " + e.getMessage());
        }
    }

    /** The surface's own dup of a received fd (the received one stays the connection's). */
    private int dupOf(String m, int fd) throws QemuMessageException {
        try {
            return fds.dup(fd);
        } catch (IOException e) {
            throw new QemuMessageException(m, "fd", Integer.toString(fd), "cannot be duplicated: " + e.getMessage());
        }
    }

    /**
     * The rules of an update's rectangle: x, y, width and height not negative, a picture to update
     * ({@code width} -1 when there is none: {@code none} says what was missing), the rectangle inside it.
     */
    private static void rectangle(String m, long x, long y, long w, long h, int width, int height, String whose,
            String none) throws QemuMessageException {
        notNegative(m, "x", x);
        notNegative(m, "y", y);
        notNegative(m, "width", w);
        notNegative(m, "height", h);
        if (width < 0) {
            throw new QemuMessageException(m, "rectangle", x + "," + y + " " + w + "x" + h, "comes with no " + none);
        }
        if (x + w > width) {
            throw new QemuMessageException(m, "x + width", Long.toString(x + w), "is more than the " + whose + " width "
                + width);
        }
        if (y + h > height) {
            throw new QemuMessageException(m, "y + height", Long.toString(y + h), "is more than the " + whose + " height "
                + height);
        }
    }

    private static void dimension(String m, String field, long v) throws QemuMessageException {
        if (v < 1 || v > MAX_DIMENSION) {
            throw new QemuMessageException(m, field, Long.toString(v), "is not 1 to " + MAX_DIMENSION);
        }
    }

    private static void notNegative(String m, String field, long v) throws QemuMessageException {
        if (v < 0) {
            throw new QemuMessageException(m, field, Long.toString(v), "is negative");
        }
    }

    private static void strideRule(String m, long stride, long width, DrmFormat format) throws QemuMessageException {
        long row = width * format.bytesPerPixel();
        if (stride < row) {
            throw new QemuMessageException(m, "stride", Long.toString(stride), "is below width x bytes per pixel ("
                + row + " for " + width + " x " + format + ")");
        }
        if (stride > MAX_STRIDE) {
            throw new QemuMessageException(m, "stride", Long.toString(stride), "is more than " + MAX_STRIDE);
        }
    }

    private static void dataRule(String m, byte[] data, long expected, String what) throws QemuMessageException {
        long n = data == null ? 0 : data.length;
        if (data == null || n != expected) {
            throw new QemuMessageException(m, "data length", Long.toString(n), "is not " + what + " (" + expected + ")");
        }
    }
}
