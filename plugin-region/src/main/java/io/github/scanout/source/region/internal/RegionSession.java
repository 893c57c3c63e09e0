package io.github.scanout.source.region.internal;

import io.github.scanout.api.BufferType;
import io.github.scanout.api.DeviceException;
import io.github.scanout.api.InvalidPlaneException;
import io.github.scanout.api.PlaneInfo;
import io.github.scanout.api.PlaneType;
import io.github.scanout.api.buffer.MemoryKind;
import io.github.scanout.api.buffer.PlaneBuffer;
import io.github.scanout.api.device.GfxDevice;
import io.github.scanout.api.source.PlaneSession;
import io.github.scanout.api.support.Reporter;
import io.github.scanout.api.support.SnapshotPool;
import io.github.scanout.api.support.TransientRetry;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Reads the planes of one open device from the device region each plane names.
 *
 * <p>Per poll of a plane: {@code QUERY_GFX_PLANE(REGION)} (validated by the device: format,
 * dimensions, layout within {@code size}, {@code size} within the region), then
 * <ul>
 *   <li>the region is looked up with GET_REGION_INFO for the index the plane names (even at or
 *       above num_regions) and mapped whole, once; it is remapped only when
 *       {@code region_index} changes. A region without the MMAP flag is read with pread into a
 *       pooled buffer instead ({@link MemoryKind#PREAD_COPY}), reported once;</li>
 *   <li>the buffer is a read-only view of exactly {@link PlaneInfo#requiredBytes()} bytes from
 *       the start of the region, checked again against the region's size. The session keeps one
 *       live buffer per plane and hands out a new lease of it on each poll while the device
 *       answers the same plane (the device returns the same {@link PlaneInfo} for an unchanged
 *       answer); any other answer (width, height, format, stride, region) makes a new buffer, so a
 *       change shows at once;</li>
 *   <li>{@code consistent == false}: a zero-copy {@link MemoryKind#LIVE_MAPPING} (the guest
 *       keeps drawing into it); {@code consistent == true}: a {@link MemoryKind#SNAPSHOT}
 *       copied into a buffer from a small bounded pool of the plane (reused once its lease
 *       closes; when every pooled buffer is leased the acquire fails with a transient EAGAIN).</li>
 * </ul>
 *
 * <p>Cursor: region devices have no cursor plane (mdpy answers a cursor query with its primary
 * plane, which validation rejects as a cursor larger than 256x256, and QEMU's region path never
 * asks). So {@code acquire(CURSOR, ...)} answers empty, "no cursor", without asking the device,
 * unless {@link RegionSettings#queryCursor()} is on. Overlay planes are not offered.
 *
 * <p>Errors: a disabled plane is an empty answer, not an error. Transient errors (ENOMEM,
 * EAGAIN, EINTR, EBUSY) are retried on the next poll and then with back-off
 * ({@link TransientRetry}, reported once per episode); meanwhile the last good plane is handed
 * out again as a new lease (empty when there is none). Every other error (an invalid plane, a
 * missing region, a vanished device: ENODEV) is thrown to the caller, typed, and forgets the
 * last good plane.
 *
 * <p>Threads: {@link #acquire}, {@link #reset} and {@link #close} on the capture thread only;
 * leases may be closed on any thread.
 */
final class RegionSession implements PlaneSession {

    /** What the session knows about one plane. Capture thread only. */
    private static final class PlaneState {
        final PlaneType type;
        final String label;
        final TransientRetry retry;
        final SnapshotPool pool;
        PlaneInfo info;
        MappedRegion region;
        /**
         * The session's own lease on the live view of {@link #info} in {@link #region}: each poll
         * that answers the same plane hands out another lease of it (nothing else is allocated).
         */
        PlaneBuffer live;

        PlaneState(PlaneType type, String label, TransientRetry retry, SnapshotPool pool) {
            this.type = type;
            this.label = label;
            this.retry = retry;
            this.pool = pool;
        }

        /** Forgets the last good plane and gives the region back (leases keep it mapped). */
        void clear() {
            info = null;
            dropLive();
            if (region != null) {
                region.release();
                region = null;
            }
        }

        void dropLive() {
            if (live != null) {
                live.close();
                live = null;
            }
        }
    }

    private final GfxDevice device;
    private final RegionSettings settings;
    private final Reporter reporter;
    private final Map<PlaneType, PlaneState> planes = new EnumMap<>(PlaneType.class);
    private final Set<Integer> preadReported = new HashSet<>();
    private boolean closed;

    RegionSession(GfxDevice device, RegionSettings settings, Reporter reporter, LongSupplier nanoClock) {
        this.device = Objects.requireNonNull(device, "device");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.reporter = Objects.requireNonNull(reporter, "reporter");
        Objects.requireNonNull(nanoClock, "nanoClock");
        for (PlaneType t : new PlaneType[] {PlaneType.PRIMARY, PlaneType.CURSOR}) {
            String label = t.name().toLowerCase(Locale.ROOT) + " plane of " + device.name() + " (region)";
            planes.put(t, new PlaneState(t, label, new TransientRetry(label, reporter, nanoClock,
                    settings.maxBackoffMillis()), new SnapshotPool(label, settings.snapshotBuffers())));
        }
    }

    @Override
    public Optional<PlaneBuffer> acquire(PlaneType plane, boolean consistent) throws DeviceException {
        Objects.requireNonNull(plane, "plane");
        if (closed) {
            throw new IllegalStateException("the region session of " + device.name() + " is closed");
        }
        if (plane == PlaneType.OVERLAY) {
            throw new IllegalArgumentException("the region source shows PRIMARY and CURSOR planes, not " + plane);
        }
        if (plane == PlaneType.CURSOR && !settings.queryCursor()) {
            return Optional.empty();
        }
        PlaneState st = planes.get(plane);
        if (!st.retry.mayTry()) {
            return lastGood(st, consistent);
        }
        try {
            Optional<PlaneInfo> answer = device.queryPlane(BufferType.REGION, plane);
            if (answer.isEmpty()) {
                st.retry.succeeded();
                st.clear();
                return Optional.empty();
            }
            use(st, answer.get());
        } catch (DeviceException e) {
            if (e.isTransient()) {
                st.retry.failed(e);
                return lastGood(st, consistent);
            }
            st.retry.forget();
            st.clear();
            throw e;
        }
        st.retry.succeeded();
        return Optional.of(produce(st, consistent));
    }

    /** Makes {@code info} the plane's current layout, remapping when its region index changed. */
    private void use(PlaneState st, PlaneInfo info) throws DeviceException {
        int index = (int) info.bufferId(); // the device checked it is a region below 2^31
        MappedRegion old = st.region;
        boolean remap = old == null || old.index() != index;
        MappedRegion region = remap ? obtain(index) : old;
        try {
            check(st, info, region);
        } catch (DeviceException | RuntimeException e) {
            if (remap) {
                region.release();
            }
            throw e;
        }
        if (remap) {
            if (old != null) {
                old.release();
            }
            st.region = region;
        }
        if (!info.equals(st.info)) {
            st.dropLive();
        }
        st.info = info;
    }

    /** A reference to region {@code index}: the other plane's, or a new mapping. */
    private MappedRegion obtain(int index) throws DeviceException {
        for (PlaneState s : planes.values()) {
            if (s.region != null && s.region.index() == index) {
                return s.region.retain();
            }
        }
        return MappedRegion.open(device, index, () -> {
            if (preadReported.add(index)) {
                reporter.report(System.Logger.Level.INFO, "region " + index + " of " + device.name()
                        + " cannot be mmapped (no MMAP flag): reading it with pread into pooled buffers, one copy per"
                        + " frame (memory kind PREAD_COPY)");
            }
        });
    }

    /** {@code docs/abi.md} rule 7, checked against the region this session really maps. */
    private static void check(PlaneState st, PlaneInfo info, MappedRegion region) throws InvalidPlaneException {
        long required = info.requiredBytes();
        if (info.size() > region.size()) {
            throw new InvalidPlaneException(st.label, "size", Long.toString(info.size()),
                    "size <= the size of region " + region.index() + " (" + region.size() + " bytes)");
        }
        if (required > region.size()) {
            throw new InvalidPlaneException(st.label, "stride", Integer.toString(info.stride()),
                    "the layout (" + required + " bytes) fits in region " + region.index() + " (" + region.size()
                            + " bytes)");
        }
        if (required > Integer.MAX_VALUE) {
            throw new InvalidPlaneException(st.label, "height", Integer.toString(info.height()),
                    "the layout (" + required + " bytes) fits in one buffer (2 GiB)");
        }
    }

    private Optional<PlaneBuffer> lastGood(PlaneState st, boolean consistent) throws DeviceException {
        return st.info == null ? Optional.empty() : Optional.of(produce(st, consistent));
    }

    /** A new buffer with its first lease, for the plane's current layout. */
    private PlaneBuffer produce(PlaneState st, boolean consistent) throws DeviceException {
        PlaneInfo info = st.info;
        MappedRegion region = st.region;
        int length = (int) info.requiredBytes();
        if (region.mapped() && !consistent) {
            if (st.live == null) {
                region.retain();
                boolean ok = false;
                try {
                    st.live = PlaneBuffer.liveMapping(info, region.view(length), region::release);
                    ok = true;
                } finally {
                    if (!ok) {
                        region.release();
                    }
                }
            }
            return st.live.retain();
        }
        if (region.mapped()) {
            return st.pool.snapshot(info, copy -> copy.put(0, region.view(length), 0, length));
        }
        return st.pool.pooled(info, MemoryKind.PREAD_COPY, copy -> device.readRegion(region.index(), 0, copy.duplicate()));
    }

    @Override
    public void reset() {
        for (PlaneState st : planes.values()) {
            st.retry.forget();
            st.clear();
            st.pool.clear();
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            reset();
        }
    }

    /** The snapshot pool of a plane (tests look at its allocations). */
    SnapshotPool pool(PlaneType plane) {
        return planes.get(plane).pool;
    }

    @Override
    public String toString() {
        return "RegionSession[" + device.name() + (closed ? ", closed]" : "]");
    }
}
