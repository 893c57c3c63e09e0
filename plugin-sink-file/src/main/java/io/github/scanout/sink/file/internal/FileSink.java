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
 * inline; the sink starts no thread. {@link #close()} may come from another thread (SCR's);
 * every method holds the sink's lock, so it waits for a frame being written. {@link #output()}
 * takes no lock (any thread, never waits for a write).
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
        this.output = switch (options.format()) {
            case PNG -> new PngSnapshots(options, disk);
            case RAW -> new RawStream(new StreamFile(disk, options.path(), options.fsync(), this::lost));
            case Y4M -> new Y4mStream(new StreamFile(disk, options.path(), options.fsync(), this::lost),
                    options.chroma(), options.maxFps());
        };
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
        long signature = 0;
        if (options.onlyWhenChanged()) {
            signature = signature(shot);
            if (haveWritten && signature == lastSignature) {
                return;
            }
        }
        try {
            success(shot, signature, output.write(shot));
        } catch (RetentionException e) {
            success(shot, signature, e.bytes());
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
