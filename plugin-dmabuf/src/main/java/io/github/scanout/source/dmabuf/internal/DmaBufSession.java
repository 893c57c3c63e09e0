package io.github.scanout.source.dmabuf.internal;

import io.github.scanout.api.BufferType;
import io.github.scanout.api.DeviceException;
import io.github.scanout.api.InvalidPlaneException;
import io.github.scanout.api.Modifier;
import io.github.scanout.api.PlaneInfo;
import io.github.scanout.api.PlaneType;
import io.github.scanout.api.buffer.MemoryKind;
import io.github.scanout.api.buffer.PlaneBuffer;
import io.github.scanout.api.device.DmaBuf;
import io.github.scanout.api.device.GfxDevice;
import io.github.scanout.api.source.PlaneSession;
import io.github.scanout.api.support.Reporter;
import io.github.scanout.api.support.SnapshotPool;
import io.github.scanout.api.support.TransientRetry;
import java.nio.ByteBuffer;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Reads the primary and cursor planes of one open device as dma-bufs.
 *
 * <p>Per poll of a plane: {@code QUERY_GFX_PLANE(DMABUF)} (validated by the device), then the
 * plane's dma-buf from the {@link BufferCache} (at most one {@code GET_GFX_DMABUF} per live
 * buffer identity), then a new lease. An unchanged fd-only plane polled with the caller's held
 * lease of it ({@link #acquire(PlaneType, boolean, PlaneBuffer)}) is answered with that lease
 * itself: no lease is made or closed for a still screen. The buffers:
 * <table>
 *   <caption>What a buffer is made of</caption>
 *   <tr><th>the dma-buf</th><th>consistent = false</th><th>consistent = true</th></tr>
 *   <tr><td>refuses CPU mapping (GVT-g: ENODEV, mbochs: EINVAL)</td>
 *       <td colspan="2">{@link MemoryKind#DMABUF_FD}: no pixels; the fd and the plane (modifier
 *       included) for an importer. CPU-only sinks get a clear "use an importer" refusal.</td></tr>
 *   <tr><td>mappable, linear</td><td>{@link MemoryKind#DMABUF_MAPPING}: a read-only view of the
 *       mapping, zero copy, with the fd; {@code DMA_BUF_IOCTL_SYNC} START|READ when handed out,
 *       END|READ when its last lease closes</td><td>{@link MemoryKind#SNAPSHOT}: a copy into a
 *       pooled buffer, made between SYNC START|READ and END|READ</td></tr>
 *   <tr><td>mappable, X- or Y-tiled</td><td colspan="2">{@link MemoryKind#SNAPSHOT}, detiled on the
 *       CPU ({@link Detiler}) between SYNC START and END; its {@link PlaneInfo} is a copy of the
 *       plane's with modifier LINEAR, stride = row bytes and size = stride x height. Also when
 *       not asked for consistent bytes: tiled bytes are useless to a CPU reader, and an importer
 *       can use the linear copy as well.</td></tr>
 *   <tr><td>mappable, Yf-tiled</td><td colspan="2">{@link MemoryKind#DMABUF_FD} (not detiled).</td></tr>
 * </table>
 * Tiled buffers therefore reach importers zero-copy (fd plus tiled modifier) whenever their
 * producer refuses CPU mapping, which every real producer does.
 *
 * <p>Cursor: queried like the primary plane; its position is signed and its hotspot optional
 * ({@link PlaneInfo#x()}, {@link PlaneInfo#hotspot()}). A moving cursor is the same buffer
 * identity: no new dma-buf, only a new lease whose plane carries the new position. A disabled
 * plane (mbochs answers its cursor this way) is an empty answer: "nothing to show", not an error.
 *
 * <p>Errors: transient ones (ENOMEM, EAGAIN, EINTR, EBUSY) on the query or on
 * {@code GET_GFX_DMABUF} are retried on the next poll, then with back-off, reported once per
 * episode ({@link TransientRetry}); meanwhile the last good buffer of the plane is handed out
 * again as a new lease (or nothing, before the first). mbochs answers the first query after every
 * mode change with ENOMEM. Every other error is thrown, typed, and forgets the plane's last buffer.
 *
 * <p>Threads: {@link #acquire}, {@link #reset} and {@link #close} on the capture thread only;
 * leases may be closed on any thread.
 */
final class DmaBufSession implements PlaneSession {

    /** Polls of an unchanged plane between two marks of its buffer as recently used. */
    static final int RECENT_EVERY = 32;

    /** The last good buffer of one plane. Capture thread only. */
    private static final class PlaneState {
        final String label;
        final TransientRetry retry;
        final SnapshotPool pool;
        PlaneInfo info;
        CachedBuffer buffer;
        /**
         * The session's own lease of {@link #buffer} as a {@link MemoryKind#DMABUF_FD} buffer of
         * {@link #info}, when that is what the plane is: each poll that answers the same plane hands
         * out another lease of it (no cache lookup, no new buffer). Never held for mapped buffers,
         * whose CPU access (SYNC START to END) lasts only as long as their leases.
         */
        PlaneBuffer fdLease;
        /** The last "unchanged" answer ({@code Optional.of(held)}), reused while the caller holds that lease. */
        Optional<PlaneBuffer> heldAnswer;
        /** Polls since {@link #buffer} was last marked recently used in the cache. */
        int unmarked;

        PlaneState(String label, TransientRetry retry, SnapshotPool pool) {
            this.label = label;
            this.retry = retry;
            this.pool = pool;
        }
    }

    private final GfxDevice device;
    private final Reporter reporter;
    private final BufferCache cache;
    private final Map<PlaneType, PlaneState> planes = new EnumMap<>(PlaneType.class);
    private volatile boolean mmapRefusalReported;
    private boolean closed;

    DmaBufSession(GfxDevice device, DmaBufSettings settings, Reporter reporter, LongSupplier nanoClock) {
        this.device = Objects.requireNonNull(device, "device");
        Objects.requireNonNull(settings, "settings");
        this.reporter = Objects.requireNonNull(reporter, "reporter");
        Objects.requireNonNull(nanoClock, "nanoClock");
        this.cache = new BufferCache(device, settings.cacheEntries(), settings.cacheBytes(), this::mmapRefused);
        for (PlaneType t : new PlaneType[] {PlaneType.PRIMARY, PlaneType.CURSOR}) {
            String label = t.name().toLowerCase(Locale.ROOT) + " plane of " + device.name() + " (dmabuf)";
            planes.put(t, new PlaneState(label, new TransientRetry(label, reporter, nanoClock,
                    settings.maxBackoffMillis()), new SnapshotPool(label, settings.snapshotBuffers())));
        }
    }

    @Override
    public Optional<PlaneBuffer> acquire(PlaneType plane, boolean consistent) throws DeviceException {
        return acquire(plane, consistent, null);
    }

    /**
     * As {@link #acquire(PlaneType, boolean)}; an unchanged answer for a plane handed out as an fd
     * is {@code held} itself when it is a lease of that buffer: no new lease, no allocation.
     */
    @Override
    public Optional<PlaneBuffer> acquire(PlaneType plane, boolean consistent, PlaneBuffer held)
            throws DeviceException {
        Objects.requireNonNull(plane, "plane");
        if (closed) {
            throw new IllegalStateException("the dma-buf session of " + device.name() + " is closed");
        }
        if (plane == PlaneType.OVERLAY) {
            throw new IllegalArgumentException("the dma-buf source shows PRIMARY and CURSOR planes, not " + plane);
        }
        PlaneState st = planes.get(plane);
        if (!st.retry.mayTry()) {
            return lastGood(st, consistent);
        }
        try {
            Optional<PlaneInfo> answer = device.queryPlane(BufferType.DMABUF, plane);
            if (answer.isEmpty()) {
                st.retry.succeeded();
                forget(st);
                return Optional.empty();
            }
            PlaneInfo info = answer.get();
            // the device hands the same object again for an unchanged answer: same plane, same buffer
            if (info == st.info && st.buffer != null) {
                // still in use: mark it recent now and then (a lookup of its key on every poll cost a
                // fifth of a poll); between two marks it cannot fall far behind in a cache of a few buffers
                if (++st.unmarked >= RECENT_EVERY) {
                    st.unmarked = 0;
                    cache.touch(st.buffer);
                }
                if (held != null && st.fdLease != null && held.identity() == st.fdLease.identity()
                        && held.isOpen()) {
                    st.retry.succeeded();
                    return sameAgain(st, held);
                }
            } else {
                CachedBuffer buffer = cache.obtain(info);
                dropFdLease(st);
                if (st.buffer != null) {
                    cache.release(st.buffer);
                }
                st.buffer = buffer;
                st.info = info;
            }
        } catch (DeviceException e) {
            if (e.isTransient()) {
                st.retry.failed(e);
                return lastGood(st, consistent);
            }
            st.retry.forget();
            forget(st);
            throw e;
        }
        st.retry.succeeded();
        return Optional.of(produce(st, consistent));
    }

    /** {@code Optional.of(held)}, made once per held lease. */
    private static Optional<PlaneBuffer> sameAgain(PlaneState st, PlaneBuffer held) {
        Optional<PlaneBuffer> a = st.heldAnswer;
        if (a == null || a.get() != held) {
            a = Optional.of(held);
            st.heldAnswer = a;
        }
        return a;
    }

    private static void dropFdLease(PlaneState st) {
        st.heldAnswer = null;
        if (st.fdLease != null) {
            st.fdLease.close();
            st.fdLease = null;
        }
    }

    private void forget(PlaneState st) {
        dropFdLease(st);
        st.info = null;
        if (st.buffer != null) {
            CachedBuffer b = st.buffer;
            st.buffer = null;
            cache.release(b);
        }
    }

    private Optional<PlaneBuffer> lastGood(PlaneState st, boolean consistent) throws DeviceException {
        return st.info == null ? Optional.empty() : Optional.of(produce(st, consistent));
    }

    /** A new buffer with its first lease for the plane's current buffer (see the class comment). */
    private PlaneBuffer produce(PlaneState st, boolean consistent) throws DeviceException {
        PlaneInfo info = st.info;
        CachedBuffer buffer = st.buffer;
        Modifier modifier = info.modifier();
        if (!buffer.mappable() || !(modifier.isLinear() || Detiler.supports(modifier))) {
            if (st.fdLease == null) {
                st.fdLease = fdOnly(info, buffer);
            }
            return st.fdLease.retain();
        }
        long required = info.requiredBytes();
        if (required > Integer.MAX_VALUE) {
            throw new InvalidPlaneException(st.label, "height", Integer.toString(info.height()),
                    "the layout (" + required + " bytes) fits in one buffer (2 GiB)");
        }
        if (!modifier.isLinear()) {
            return detiled(st, info, buffer);
        }
        return consistent ? snapshot(st, info, buffer) : mapped(info, buffer);
    }

    private PlaneBuffer fdOnly(PlaneInfo info, CachedBuffer buffer) {
        cache.retain(buffer);
        boolean ok = false;
        try {
            PlaneBuffer b = PlaneBuffer.dmaBufOnly(info, buffer.dmaBuf, () -> cache.release(buffer));
            ok = true;
            return b;
        } finally {
            if (!ok) {
                cache.release(buffer);
            }
        }
    }

    /** Zero copy: SYNC START|READ now, END|READ when the last lease closes. */
    private PlaneBuffer mapped(PlaneInfo info, CachedBuffer buffer) throws DeviceException {
        cache.retain(buffer);
        boolean ok = false;
        boolean syncing = false;
        DmaBuf dmaBuf = buffer.dmaBuf;
        try {
            ByteBuffer view = buffer.mapping.view(0, (int) info.requiredBytes());
            dmaBuf.beginCpuRead();
            syncing = true;
            PlaneBuffer b = PlaneBuffer.create(info, MemoryKind.DMABUF_MAPPING, view, dmaBuf, () -> {
                try {
                    dmaBuf.endCpuRead();
                } catch (DeviceException e) {
                    reporter.report(System.Logger.Level.WARNING, "ending CPU access to " + info + " of " + device.name()
                            + " failed: " + e.getMessage());
                } finally {
                    cache.release(buffer);
                }
            });
            ok = true;
            return b;
        } finally {
            if (!ok) {
                if (syncing) {
                    endQuietly(dmaBuf);
                }
                cache.release(buffer);
            }
        }
    }

    /** A consistent copy, made between SYNC START|READ and END|READ. */
    private PlaneBuffer snapshot(PlaneState st, PlaneInfo info, CachedBuffer buffer) throws DeviceException {
        int length = (int) info.requiredBytes();
        return st.pool.snapshot(info, copy -> {
            buffer.dmaBuf.beginCpuRead();
            try {
                copy.put(0, buffer.mapping.view(0, length), 0, length);
            } finally {
                buffer.dmaBuf.endCpuRead();
            }
        });
    }

    /** A linear copy of a tiled buffer, detiled between SYNC START|READ and END|READ. */
    private PlaneBuffer detiled(PlaneState st, PlaneInfo info, CachedBuffer buffer) throws DeviceException {
        PlaneInfo linear = linearCopy(info);
        int rowBytes = linear.stride();
        return st.pool.snapshot(linear, copy -> {
            buffer.dmaBuf.beginCpuRead();
            try {
                Detiler.detile(info.modifier(), buffer.mapping.view(0, (int) info.requiredBytes()), info.stride(),
                        rowBytes, info.height(), copy, rowBytes);
            } finally {
                buffer.dmaBuf.endCpuRead();
            }
        });
    }

    /**
     * The plane of a detiled copy: the same plane with modifier LINEAR, stride = row bytes
     * (rows packed) and size = stride x height.
     */
    static PlaneInfo linearCopy(PlaneInfo p) {
        int rowBytes = Math.toIntExact(p.rowBytes());
        return new PlaneInfo(p.type(), p.bufferType(), p.format(), Modifier.LINEAR, p.width(), p.height(), rowBytes,
                (long) rowBytes * p.height(), p.x(), p.y(), p.hotspot(), p.bufferId());
    }

    private void endQuietly(DmaBuf dmaBuf) {
        try {
            dmaBuf.endCpuRead();
        } catch (DeviceException e) {
            reporter.report(System.Logger.Level.WARNING, "ending CPU access to a dma-buf of " + device.name()
                    + " failed: " + e.getMessage());
        }
    }

    private void mmapRefused(DeviceException e) {
        if (!mmapRefusalReported) {
            mmapRefusalReported = true;
            reporter.report(System.Logger.Level.INFO, "the dma-bufs of " + device.name()
                    + " cannot be mapped by the CPU (" + e.getMessage() + "): they are handed out as fds (memory kind"
                    + " DMABUF_FD) for an importer such as the GL sink; CPU-only sinks need an importer");
        }
    }

    @Override
    public void reset() {
        for (PlaneState st : planes.values()) {
            st.retry.forget();
            forget(st);
            st.pool.clear();
        }
        cache.clear();
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            reset();
        }
    }

    /** The buffer cache (tests look at its size). */
    BufferCache cache() {
        return cache;
    }

    /** The snapshot pool of a plane (tests look at its allocations). */
    SnapshotPool pool(PlaneType plane) {
        return planes.get(plane).pool;
    }

    @Override
    public String toString() {
        return "DmaBufSession[" + device.name() + (closed ? ", closed]" : "]");
    }
}
