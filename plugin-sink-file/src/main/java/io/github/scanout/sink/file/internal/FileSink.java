package io.github.scanout.sink.file.internal;

import io.github.scanout.api.PlaneInfo;
import io.github.scanout.api.buffer.PlaneBuffer;
import io.github.scanout.api.pixels.PixelConverter;
import io.github.scanout.api.sink.CountsOutput;
import io.github.scanout.api.sink.CursorState;
import io.github.scanout.api.sink.Frame;
import io.github.scanout.api.sink.FrameSink;
import io.github.scanout.api.sink.SinkNeeds;
import io.github.scanout.api.support.Reporter;
import io.github.scanout.api.sink.SinkOutput;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Saves what a device shows: PNG snapshots, a raw stream or a Y4M stream
 * ({@link FileSinkOptions}). Usable without OSGi; {@link FileSinkComponent} is the thin
 * Declarative Services adapter.
 *
 * <p>What happens to a frame, in order:
 * <ol>
 *   <li>A buffer the CPU cannot read (a dma-buf no importer turned into pixels), a tiled buffer
 *       or a format the canonical conversion does not support is not written: that is logged
 *       once, and the sink never maps or detiles anything itself.
 *   <li>The rate limit ({@link RateLimiter}) on the capture clock.
 *   <li>While writing fails, frames are skipped until the back-off expires ({@link Faults}).
 *   <li>Only when changed: a frame whose format, modifier, size, visible bytes (a 64-bit
 *       {@link ContentHash} of every row, stride padding excluded) and, when the cursor is
 *       composited, cursor image and position are those of the last written frame is skipped.
 *       The bytes are always hashed, whatever the memory kind or buffer id (live mappings
 *       change in place; a guest may flip between two buffers with the same picture).
 *   <li>The output writes it; an I/O failure never escapes: it is reported once per condition
 *       and retried with back-off, so capture and the other sinks never notice.
 * </ol>
 * When the cursor is composited, the sink keeps one lease on the newest primary buffer so that
 * a cursor move without a new frame ({@link #cursor(CursorState)}) is written too.
 *
 * <p>Threads: {@link FrameSink} methods are called on this sink's delivery thread and encode
 * inline; the sink starts no thread (the first PNG after the start or a detach is encoded in
 * bands of rows, all but one of them on the JVM's common fork-join pool: {@link PngSnapshots}).
 * {@link #close()} may come from another thread (SCR's); every method holds the sink's lock, so
 * it waits for a frame being written. {@link #output()} takes no lock (any thread, never waits
 * for a write).
 *
 * <p>Files: a stream path that is a directory is refused (the stream is never written next to
 * it); a second sink of the same runtime writing the same stream, or the same PNG pattern into
 * the same directory, is refused; at start, the temporary files a PNG sink of this pattern
 * makes ({@code .NAME.tmp}) left behind by a crash are deleted. Free-space floor: while the
 * output's file system has fewer usable bytes than {@link FileSinkOptions#minFreeBytes(long)},
 * nothing is written (one warning, one line when space returns; the frames count as received,
 * not written), and an open stream file is closed (the next starts a new one).
 *
 * <p>Written ({@link CountsOutput}): a frame counts when its bytes are in the file system: a PNG
 * renamed into place (or written whole in place), a stream frame appended whole. Frames skipped
 * by the rate limit, the back-off or "only when changed", and frames the CPU cannot read, are
 * received but not written.
 */
public final class FileSink implements FrameSink, CountsOutput, AutoCloseable {
    private final FileSinkOptions options;
    private final Reporter log;
    private final LongSupplier clock;
    private final Output output;
    private final Disk disk;
    private final String claim;
    private boolean belowFloor;
    private final Faults faults;
    private final RateLimiter rate;
    private final boolean composite;
    private final CursorSprite cursor = new CursorSprite();

    private PlaneBuffer latest;
    private String latestDevice;
    private long latestSequence;
    private long latestNanos;
    private long latestWallMillis;
    private boolean haveWritten;
    private long lastSignature;
    private long written;
    private long bytesWritten;
    private boolean closed;
    /** What {@link #output()} returns: replaced under the lock, read without it. */
    private volatile SinkOutput counts = SinkOutput.NONE;

    /** A sink on the real file system, logging to {@link System.Logger}. */
    public FileSink(FileSinkOptions options) {
        this(options, new RealDisk(), Reporter.system("io.github.scanout.sink.file"), System::nanoTime);
    }

    /**
     * @param disk the file operations (a fake in fault tests)
     * @param log where operator messages go
     * @param clock {@link System#nanoTime()} or a test clock: the back-off and cursor-only
     *     updates use it; frames carry their own capture time
     */
    public FileSink(FileSinkOptions options, Disk disk, Reporter log, LongSupplier clock) {
        this.options = Objects.requireNonNull(options, "options");
        this.log = Objects.requireNonNull(log, "log");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.faults = new Faults(options.name(), log, clock);
        this.rate = new RateLimiter(options.maxFps());
        this.composite = options.cursor() && options.format() != OutputFormat.RAW;
        this.disk = disk;
        if (options.format().isStream() && disk.isDirectory(options.path())) {
            throw new IllegalArgumentException("file sink configuration: path = '" + options.path() + "' is refused: "
                    + "it is a directory, and format " + options.format().key() + " writes one stream file; give a file "
                    + "name, such as " + options.path().resolve("capture." + options.format().key()));
        }
        this.claim = claim(options);
        StreamFile.Lost events = new StreamFile.Lost() {
            @Override
            public void lost(Path file, Path next) {
                FileSink.this.lost(file, next);
            }

            @Override
            public void notDeleted(Path file, IOException e) {
                faults.problem("retention", Faults.reason(e), "cannot delete old stream file " + file + " (keep = "
                        + options.keep() + "): " + Faults.reason(e) + " (tried again at the next new file)", true);
            }
        };
        try {
            this.output = switch (options.format()) {
                case PNG -> new PngSnapshots(options, disk);
                case RAW -> new RawStream(new StreamFile(disk, options.path(), options.fsync(), events,
                        options.rotation(), clock));
                case Y4M -> new Y4mStream(new StreamFile(disk, options.path(), options.fsync(), events,
                        options.rotation(), clock), options.chroma(), options.maxFps());
            };
        } catch (RuntimeException e) {
            CLAIMS.remove(claim);
            throw e;
        }
        if (output instanceof PngSnapshots png) {
            List<Path> removed = png.removeStaleTemporaries();
            if (!removed.isEmpty()) {
                log.info("file sink '" + options.name() + "': removed " + removed.size() + " temporary file(s) an "
                        + "earlier run left behind: " + removed.stream().map(p -> p.getFileName().toString())
                        .limit(5).collect(java.util.stream.Collectors.joining(", "))
                        + (removed.size() > 5 ? ", ..." : ""));
            }
        }
    }

    /**
     * The sinks of this runtime, by what they write to: two sinks writing the same PNG pattern
     * into one directory (or the same stream) would take each other's temporary files and delete
     * each other's files for retention, so the second is refused.
     */
    private static final java.util.Set<String> CLAIMS = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private static String claim(FileSinkOptions options) {
        Path where = options.path().toAbsolutePath().normalize();
        String key = options.format().isStream() ? "stream " + where : "png " + where + " " + options.namePattern();
        if (!CLAIMS.add(key)) {
            throw new IllegalArgumentException("file sink configuration: path = '" + options.path() + "' is refused: "
                    + "another file sink of this runtime already writes " + (options.format().isStream()
                    ? "this stream" : "name.pattern '" + options.namePattern() + "' in this directory")
                    + "; give each sink its own " + (options.format().isStream() ? "file" : "directory or name.pattern"));
        }
        return key;
    }

    /** CPU pixels that do not change while read, in any format, at most {@code maxFps}. */
    @Override
    public SinkNeeds needs() {
        return new SinkNeeds(true, true, Set.of(), options.maxFps());
    }

    @Override
    public synchronized void frame(Frame frame) {
        if (closed) {
            return;
        }
        PlaneBuffer primary = frame.primary();
        Unreadable unreadable = unreadable(primary);
        if (unreadable != null) {
            counts = new SinkOutput(written, bytesWritten, "frame " + frame.sequence() + " is not written: "
                    + unreadable.why());
            faults.problem("frame", unreadable.condition(), "frame " + frame.sequence() + " of " + frame.device()
                    + " is not written: " + unreadable.why() + " (said once, until a readable frame arrives)", true);
            dropLatest();
            return;
        }
        faults.resolved("frame");
        faults.resolved("signal");
        if (composite) {
            updateCursor(frame.cursor());
            dropLatest();
            latest = primary.retain();
            latestDevice = frame.device();
            latestSequence = frame.sequence();
            latestNanos = frame.captureNanos();
            latestWallMillis = frame.wallMillis();
        }
        attempt(new Shot(frame.device(), frame.sequence(), frame.captureNanos(), frame.wallMillis(), primary.info(),
                primary.pixels(), composite ? cursor : null));
    }

    /** With compositing on, a cursor change is a new picture: written like a frame. */
    @Override
    public synchronized void cursor(CursorState state) {
        if (closed || !composite) {
            return;
        }
        updateCursor(state);
        if (latest == null) {
            return;
        }
        long now = clock.getAsLong();
        long wall = latestWallMillis + Math.max(0, (now - latestNanos) / 1_000_000);
        attempt(new Shot(latestDevice, latestSequence, now, wall, latest.info(), latest.pixels(), cursor));
    }

    @Override
    public synchronized void noSignal(String reason) {
        if (closed) {
            return;
        }
        faults.problem("signal", reason, "nothing to write: " + reason, false);
        dropLatest();
    }

    /** Closes any stream file and releases the newest frame; a later frame starts a new file. */
    @Override
    public synchronized void detached() {
        dropLatest();
        cursor.clear();
        output.release();
    }

    /** Releases everything; later calls are ignored. Idempotent. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            dropLatest();
            output.close();
            CLAIMS.remove(claim);
        }
    }

    /** Frames written since the sink started. */
    public synchronized long written() {
        return written;
    }

    @Override
    public SinkOutput output() {
        return counts;
    }

    /** The directory (png) or the current stream file. */
    public synchronized Path target() {
        return output.target();
    }

    public FileSinkOptions options() {
        return options;
    }

    private void attempt(Shot shot) {
        if (!rate.due(shot.captureNanos())) {
            return;
        }
        if (!faults.mayTry()) {
            faults.skipped();
            return;
        }
        // Only when changed: the hash of the frame is compared before writing once there is a
        // written frame to compare with; the first frame's hash (8 MB read at 1080p) is taken
        // after it is written, so that the first file, the one someone waits for, comes sooner.
        boolean hashed = false;
        long signature = 0;
        if (options.onlyWhenChanged() && haveWritten) {
            signature = signature(shot);
            hashed = true;
            if (signature == lastSignature) {
                return;
            }
        }
        if (belowFloor()) {
            return;
        }
        try {
            long bytes = output.write(shot);
            success(shot, hashed ? signature : writtenSignature(shot), bytes);
        } catch (RetentionException e) {
            success(shot, hashed ? signature : writtenSignature(shot), e.bytes());
            String condition = e.getCause() instanceof IOException cause ? Faults.reason(cause) : e.getMessage();
            faults.problem("retention", condition, e.getMessage() + " (the snapshot itself was written)", true);
        } catch (IOException e) {
            faults.failed(output.target(), e);
            counts = new SinkOutput(written, bytesWritten, "cannot write to " + output.target() + ": "
                    + Faults.reason(e));
        }
    }

    private void success(Shot shot, long signature, long bytes) {
        rate.wrote(shot.captureNanos());
        written++;
        bytesWritten += bytes;
        counts = new SinkOutput(written, bytesWritten, "");
        haveWritten = true;
        lastSignature = signature;
        faults.succeeded(output.target());
        if (options.keep() > 0) {
            faults.resolved("retention");
        }
    }

    /**
     * Whether the output's file system is below the free-space floor: said once (a warning)
     * when it goes below, once (info) when space returns. A file system that cannot be asked
     * (a missing directory) is not below: the write reports the real problem.
     */
    private boolean belowFloor() {
        Path dir = options.format().isStream() ? options.path().toAbsolutePath().getParent() : options.path();
        if (dir == null) {
            return false;
        }
        Disk.Space space;
        try {
            space = disk.space(dir);
        } catch (IOException e) {
            return false;
        }
        long floor = options.minFreeBytes(space.total());
        if (floor > 0 && space.usable() < floor) {
            if (!belowFloor) {
                belowFloor = true;
                log.warn("file sink '" + options.name() + "': stopped writing: " + mib(space.usable())
                        + " free on the file system of " + dir + ", below the floor of " + mib(floor)
                        + " (min.free.bytes); frames are received but not written until space returns");
                output.release();
            }
            counts = new SinkOutput(written, bytesWritten, "not writing: " + mib(space.usable()) + " free on the file "
                    + "system of " + dir + ", below min.free.bytes " + mib(floor));
            return true;
        }
        if (belowFloor) {
            belowFloor = false;
            log.info("file sink '" + options.name() + "': writing again: " + mib(space.usable()) + " free on the file "
                    + "system of " + dir + " (floor " + mib(floor) + ")");
        }
        return false;
    }

    private static String mib(long bytes) {
        return (bytes >> 20) + " MiB";
    }

    /** The signature to remember for a frame just written that was not hashed before: 0 when unused. */
    private long writtenSignature(Shot shot) {
        return options.onlyWhenChanged() ? signature(shot) : 0;
    }

    private long signature(Shot shot) {
        PlaneInfo info = shot.info();
        long h = ContentHash.of(info, shot.pixels());
        h = ContentHash.combine(h, ((long) info.format().fourcc() << 32) ^ info.modifier().value());
        if (composite) {
            h = ContentHash.combine(h, cursor.signature());
        }
        return h;
    }

    private void updateCursor(CursorState state) {
        try {
            cursor.update(state);
            faults.resolved("cursor");
        } catch (IllegalArgumentException e) {
            faults.problem("cursor", e.getMessage(), e.getMessage(), true);
        }
    }

    /** Why a buffer cannot be written: the condition (for "say it once") and the words. */
    private record Unreadable(String condition, String why) {}

    /** Why this buffer cannot be written, or {@code null}. */
    private static Unreadable unreadable(PlaneBuffer buffer) {
        PlaneInfo info = buffer.info();
        if (!buffer.cpuReadable()) {
            return new Unreadable("memory " + buffer.memory(), "its buffer is " + buffer.memory() + " (" + info
                    + "), which the CPU cannot read; the pipeline must route it through an importer "
                    + "(the file sink never maps buffers itself)");
        }
        if (!info.modifier().isLinear()) {
            return new Unreadable("modifier " + info.modifier(), "its buffer is " + info.modifier() + " (" + info
                    + "); the plane source must detile it");
        }
        if (!PixelConverter.isSupported(info.format())) {
            return new Unreadable("format " + info.format(), "format " + info.format()
                    + " cannot be converted to pixels (" + info + ")");
        }
        return null;
    }

    private void dropLatest() {
        if (latest != null) {
            latest.close();
            latest = null;
        }
    }

    private void lost(Path file, Path next) {
        log.warn("file sink '" + options.name() + "': " + file + " was deleted or replaced while being written; "
                + "continuing in a new file " + next);
    }
}
