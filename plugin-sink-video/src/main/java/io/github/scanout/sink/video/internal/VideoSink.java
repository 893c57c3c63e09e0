package io.github.scanout.sink.video.internal;

import com.sun.jna.Native;
import io.github.scanout.api.DrmFormat;
import io.github.scanout.api.buffer.PlaneBuffer;
import io.github.scanout.api.sink.CountsOutput;
import io.github.scanout.api.sink.CursorState;
import io.github.scanout.api.sink.Frame;
import io.github.scanout.api.sink.FrameSink;
import io.github.scanout.api.sink.SinkNeeds;
import io.github.scanout.api.sink.SinkOutput;
import io.github.scanout.api.support.Backoff;
import io.github.scanout.api.support.Reporter;
import io.github.scanout.api.support.StreamRotation;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Records or publishes one device through a GStreamer pipeline.
 *
 * <p>{@link #frame} copies the frame's pixels into the sink's one pending frame and returns: it
 * never waits for the encoder. The sink's own thread ("scanout-video-NAME") runs at the output
 * rate: at each tick it hands GStreamer the newest frame (the same one again on a still screen, so
 * the output rate is constant), stamped with the tick's time since the pipeline started, which is
 * the capture clock's ({@link System#nanoTime()}); when more than {@code queue} frames already wait
 * for the encoder, or the pipeline is down, the tick's frame is dropped and counted. A mode change
 * sets the source's new caps; the sink's own pipelines scale every mode into the first mode's
 * size (the file plays through both), a custom pipeline gets the new caps as they are.
 *
 * <p>A published stream whose pipeline fails (the server went away) is restarted with
 * {@link Backoff}; the loss is said once and the return once. A recording whose pipeline fails
 * stops (a restart would replace the file); the error is the sink's {@link SinkOutput#lastError()}.
 * {@link #close()} sends end-of-stream and waits for the file to be finalised.
 *
 * <p>Rotation ({@code rotate.bytes}, {@code rotate.seconds}, {@code keep}) follows
 * {@link StreamRotation}, as the file sink's streams do: when the current piece is due, the ticker
 * starts a pipeline writing the next piece (a key frame first, time from zero: a file of its own)
 * and hands the old pipeline to a finisher thread, which sends it end-of-stream, waits for its file
 * to be finalised and then deletes the pieces beyond {@code keep}. The size is the encoded bytes
 * that left the encoder for this piece (the container adds a little).
 *
 * <p>Threads: {@link #frame}, {@link #noSignal} from the pipeline's delivery thread; the ticker
 * thread owns the GStreamer pipeline; {@link #output()} from any thread.
 */
final class VideoSink implements FrameSink, CountsOutput, AutoCloseable {
    /** The DRM formats pushed as they are, with GStreamer's names for them (little-endian). */
    static final Map<DrmFormat, String> FORMATS = Map.of(DrmFormat.XRGB8888, "BGRx", DrmFormat.ARGB8888, "BGRA",
            DrmFormat.XBGR8888, "RGBx", DrmFormat.ABGR8888, "RGBA");

    private static final Backoff RECONNECT = Backoff.doubling(Duration.ofMillis(250), Duration.ofSeconds(5));
    private static final long CONFIRM_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long FINISH_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final Gst gst;
    private final boolean zeroCopy;
    private final java.util.function.IntPredicate dmaBufFd;
    // guarded by lock: the newest frame as a dma-buf (an fd of our own, -1 when the newest is in pending)
    private int pendingFd = -1;
    private long pendingFdSize;
    private long pendingOffset;
    private int pendingStride;
    private final java.util.Set<String> saidOnce = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final VideoOptions options;
    private final String encoder;
    private final String label;
    private final Reporter log;
    private final long period;
    private final Thread ticker;

    private final Object lock = new Object();
    // guarded by lock: the newest frame, packed rows
    private ByteBuffer pending;
    private int pendingWidth;
    private int pendingHeight;
    private String pendingFormat;
    private boolean hasFrame;
    private long pendingCaptureNanos;
    private boolean pendingUnsent;
    // guarded by lock: the cursor to draw (ARGB, not premultiplied), when options.cursor()
    private int[] cursorArgb = new int[0];
    private int cursorWidth;
    private int cursorHeight;
    private int cursorX;
    private int cursorY;
    private boolean cursorShown;
    private volatile boolean closing;

    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong pushed = new AtomicLong();
    private final AtomicLong doneFrames = new AtomicLong();
    private final AtomicLong doneBytes = new AtomicLong();
    private final StreamRotation rotation;
    // the thread finishing the previous piece of a rotated recording; ticker thread only
    private Thread finisher;
    private volatile int pieces;
    // the latency measurement (bench): capture time of each new frame by the PTS it was pushed with
    private volatile LatencyListener latency;
    private final java.util.concurrent.ConcurrentHashMap<Long, Long> captureByPts = new java.util.concurrent.ConcurrentHashMap<>();
    // the PTS of the first buffer pushed into the current pipeline, -1 before it
    private volatile long firstPushedPts = -1;

    /** Told, for each new frame, how long from its capture to its encoded packet reaching the pipeline's sink element. */
    interface LatencyListener {
        void latency(long captureToSinkNanos);
    }
    private volatile String lastError = "";
    private volatile GstPipeline running;
    private volatile boolean failed;
    private volatile int restarts;

    /**
     * Starts the sink's thread; the pipeline starts with the first frame (its size is the output's).
     *
     * @param encoder the encoder element chosen ({@link VideoOptions#encoderElement})
     * @param label the sink's name, for the thread and log lines
     */
    VideoSink(Gst gst, VideoOptions options, String encoder, String label, Reporter log) {
        this(gst, options, encoder, label, log, false, VideoSink::isDmaBuf);
    }

    /**
     * @param zeroCopy the pipeline takes {@code memory:DMABuf} ({@link GstPipeline#takesDmaBuf}) and
     *     no cursor is drawn: dma-buf planes are handed to GStreamer as they are, the sink asks for
     *     buffers as the device hands them out (not through the importer chain)
     * @param dmaBufFd whether an fd of this process is a dma-buf (a simulated device's fds are not
     *     fds of this process at all)
     */
    VideoSink(Gst gst, VideoOptions options, String encoder, String label, Reporter log, boolean zeroCopy,
            java.util.function.IntPredicate dmaBufFd) {
        this.gst = gst;
        this.zeroCopy = zeroCopy;
        this.dmaBufFd = dmaBufFd;
        this.options = options;
        this.encoder = encoder;
        this.label = label;
        this.log = log;
        this.period = 1_000_000_000L / options.fps();
        this.rotation = options.rotating() ? new StreamRotation(Path.of(options.target().location()), options.rotation())
                : null;
        this.ticker = new Thread(this::run, "scanout-video-" + label);
        ticker.setDaemon(true);
        ticker.start();
    }

    /**
     * CPU pixels in the formats GStreamer takes as they are, no faster than the output rate (a
     * frame between two ticks would be copied for nothing); a published stream has people
     * watching it (low latency), a recording does not.
     */
    @Override
    public SinkNeeds needs() {
        boolean watched = options.target() == null || !options.target().kind().file();
        return new SinkNeeds(!zeroCopy, !zeroCopy, FORMATS.keySet(), options.fps(), watched);
    }

    @Override
    public void frame(Frame frame) {
        PlaneBuffer b = frame.primary();
        String format = FORMATS.get(b.info().format());
        if (format == null) {
            throw new IllegalArgumentException("the video sink takes " + FORMATS.keySet() + ", not "
                    + b.info().format());
        }
        int w = b.info().width();
        int h = b.info().height();
        int stride = b.info().stride();
        int row = w * 4;
        if (zeroCopy && b.dmaBuf().isPresent()) {
            String why = !b.info().modifier().equals(io.github.scanout.api.Modifier.LINEAR)
                    ? "its layout is " + b.info().modifier() + ", not linear"
                    : !dmaBufFd.test(b.dmaBuf().get().fd()) ? "its fd is not a dma-buf of this process (a simulated device)"
                    : null;
            if (why == null) {
                takeDmaBuf(frame, b, format, w, h, stride);
                return;
            }
            if (!b.memory().cpuReadable()) {
                dropped.incrementAndGet();
                once("nodmabuf", label + ": a dma-buf plane cannot go to GStreamer as memory:DMABuf (" + why
                        + ") and the CPU cannot read it: its frames are dropped (counted)");
                return;
            }
        } else if (!b.memory().cpuReadable()) {
            dropped.incrementAndGet();
            once("nodmabuf", label + ": a dma-buf plane cannot go to GStreamer as memory:DMABuf (it has no fd) and "
                    + "the CPU cannot read it: its frames are dropped (counted)");
            return;
        }
        ByteBuffer src = b.pixels();
        synchronized (lock) {
            closePendingFd();
            if (pending == null || pending.capacity() < row * h) {
                pending = ByteBuffer.allocateDirect(row * h).order(ByteOrder.LITTLE_ENDIAN);
            }
            ByteBuffer dst = pending.clear();
            if (stride == row) {
                dst.put(src.slice(0, row * h));
            } else {
                for (int y = 0; y < h; y++) {
                    dst.put(src.slice(y * stride, row));
                }
            }
            pendingWidth = w;
            pendingHeight = h;
            pendingFormat = format;
            hasFrame = true;
            pendingCaptureNanos = frame.captureNanos();
            pendingUnsent = true;
            if (options.cursor()) {
                takeCursor(frame.cursor());
            }
        }
    }

    /** Keeps a dup of the frame's dma-buf fd as the newest frame. */
    private void takeDmaBuf(Frame frame, PlaneBuffer b, String format, int w, int h, int stride) {
        int fd = gst.dmaBuf().libc().dup(b.dmaBuf().get().fd());
        if (fd < 0) {
            dropped.incrementAndGet();
            once("dup", label + ": cannot duplicate a dma-buf fd (errno " + Native.getLastError()
                    + "): its frames are dropped (counted)");
            return;
        }
        once("zerocopy", label + ": dma-buf planes go to GStreamer as memory:DMABuf (zero copy)");
        synchronized (lock) {
            closePendingFd();
            pendingFd = fd;
            pendingFdSize = b.dmaBuf().get().size();
            pendingOffset = 0;
            pendingStride = stride;
            pendingWidth = w;
            pendingHeight = h;
            pendingFormat = format;
            hasFrame = true;
            pendingCaptureNanos = frame.captureNanos();
            pendingUnsent = true;
        }
    }

    // under lock
    private void closePendingFd() {
        if (pendingFd >= 0) {
            gst.dmaBuf().libc().close(pendingFd);
            pendingFd = -1;
        }
    }

    /** Logs a line once per key for the sink's life. */
    private void once(String key, String line) {
        if (saidOnce.add(key)) {
            log.info(line);
        }
    }

    /** Whether {@code /proc/self/fd/FD} is a dma-buf ({@code anon_inode:dmabuf}). */
    static boolean isDmaBuf(int fd) {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString().equals("anon_inode:dmabuf");
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    @Override
    public void cursor(CursorState cursor) {
        if (options.cursor()) {
            synchronized (lock) {
                takeCursor(cursor);
            }
        }
    }

    /** Copies the cursor's image and position (ARGB8888 images only; others are not drawn). */
    private void takeCursor(CursorState c) {
        cursorX = c.x();
        cursorY = c.y();
        if (c.image().isEmpty() || !c.image().get().info().format().equals(DrmFormat.ARGB8888)
                || !c.image().get().cpuReadable()) {
            cursorShown = false;
            return;
        }
        PlaneBuffer img = c.image().get();
        int w = img.info().width();
        int h = img.info().height();
        int stride = img.info().stride();
        if (cursorArgb.length < w * h) {
            cursorArgb = new int[w * h];
        }
        ByteBuffer px = img.pixels();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                cursorArgb[y * w + x] = px.getInt(y * stride + x * 4);
            }
        }
        cursorWidth = w;
        cursorHeight = h;
        cursorShown = true;
    }

    /** Draws the cursor over the packed frame in {@code out} ("source over"; R and B swapped for RGBx/RGBA). */
    private void drawCursor(ByteBuffer out, int width, int height, String format) {
        boolean swap = format.startsWith("RGB");
        for (int y = Math.max(0, -cursorY); y < cursorHeight && cursorY + y < height; y++) {
            for (int x = Math.max(0, -cursorX); x < cursorWidth && cursorX + x < width; x++) {
                int s = cursorArgb[y * cursorWidth + x];
                int a = s >>> 24;
                if (a == 0) {
                    continue;
                }
                if (swap) {
                    s = (s & 0xff00ff00) | ((s >> 16) & 0xff) | ((s & 0xff) << 16);
                }
                int at = ((cursorY + y) * width + cursorX + x) * 4;
                int d = out.getInt(at);
                int r = blend((s >> 16) & 0xff, (d >> 16) & 0xff, a);
                int g = blend((s >> 8) & 0xff, (d >> 8) & 0xff, a);
                int b = blend(s & 0xff, d & 0xff, a);
                out.putInt(at, (d & 0xff000000) | (r << 16) | (g << 8) | b);
            }
        }
    }

    private static int blend(int s, int d, int a) {
        return (s * a + d * (255 - a) + 127) / 255;
    }

    @Override
    public void noSignal(String reason) {
        // the output keeps its rate with the last frame shown; players keep time
    }

    @Override
    public SinkOutput output() {
        GstPipeline p = running;
        long frames = doneFrames.get() + (p == null ? 0 : p.frames());
        long bytes = doneBytes.get() + (p == null ? 0 : p.bytes());
        return new SinkOutput(frames, bytes, lastError);
    }

    /** Frames the sink could not hand to GStreamer (encoder behind, stream down). */
    long dropped() {
        return dropped.get();
    }

    /** Frames handed to GStreamer. */
    long pushed() {
        return pushed.get();
    }

    /**
     * Measures, from now on, each new frame's time from its capture ({@link Frame#captureNanos()})
     * to its encoded packet reaching the element named {@value GstPipeline#SINK} (its static
     * "sink" pad); for pipelines started after the call. For the benchmark.
     */
    void measureLatency(LatencyListener listener) {
        this.latency = listener;
    }

    /** Pieces of a rotated recording started so far. */
    int pieces() {
        return pieces;
    }

    /** Times a failed stream was started again. */
    int restarts() {
        return restarts;
    }

    @Override
    public void detached() {
        close();
    }

    /** Ends the stream (end-of-stream, file finalised) and stops the thread. */
    @Override
    public void close() {
        closing = true;
        LockSupport.unpark(ticker);
        try {
            ticker.join(FINISH_NANOS / 1_000_000 + 5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- the ticker ----------------------------------------------------------------------------

    private void run() {
        ByteBuffer out = null;
        int width = 0;
        int height = 0;
        String format = null;
        boolean dmaCaps = false;
        int outWidth = 0;
        int outHeight = 0;
        long start = 0;
        long lastTick = -1;
        int failures = 0;
        long retryAt = 0;
        boolean down = false;
        long confirmAt = 0;
        GstPipeline p = null;
        while (!closing) {
            long now = System.nanoTime();
            if (p == null && !failed && now - retryAt >= 0) {
                synchronized (lock) {
                    if (hasFrame && outWidth == 0) {
                        outWidth = pendingWidth;
                        outHeight = pendingHeight;
                    }
                }
                if (outWidth > 0) {
                    try {
                        p = open(outWidth, outHeight);
                        format = null;
                        p.play();
                        running = p;
                        start = System.nanoTime();
                        lastTick = -1;
                        // a network sink connects asynchronously: it is back once it has run a while
                        confirmAt = start + CONFIRM_NANOS;
                    } catch (IllegalStateException e) {
                        if (p != null) {
                            p.close();
                            p = null;
                        }
                        failures++;
                        retryAt = failed(e.getMessage(), failures, down);
                        down = true;
                        continue;
                    }
                }
            }
            if (p == null) {
                LockSupport.parkNanos(failed || retryAt == 0 ? period : Math.min(period, Math.max(1, retryAt - now)));
                if (hasFrameUnlocked() && (failed || retryAt != 0)) {
                    dropped.incrementAndGet();
                }
                continue;
            }
            String error = p.poll(0);
            if (error != null) {
                retire(p);
                p = null;
                failures++;
                retryAt = failed(error.equals("EOS") ? "the stream ended" : error, failures, down);
                down = true;
                continue;
            }
            if (down && now - confirmAt >= 0 && p.frames() > 0) {
                log.info(label + ": " + where() + " is back after " + failures + " failed attempts; "
                        + dropped.get() + " frames dropped so far");
                restarts++;
                down = false;
                failures = 0;
            }
            long tick = (now - start) / period;
            if (tick <= lastTick) {
                LockSupport.parkNanos(start + (lastTick + 1) * period - now);
                continue;
            }
            if (lastTick >= 0 && tick > lastTick + 1) {
                dropped.addAndGet(tick - lastTick - 1); // the thread was late: those ticks are lost
            }
            lastTick = tick;
            if (rotation != null && p.frames() > 0
                    && rotation.due(p.bytes(), p.bytes() / p.frames(), start, System.nanoTime())) {
                GstPipeline next = null;
                try {
                    next = open(outWidth, outHeight);
                    next.play();
                } catch (IllegalStateException e) {
                    if (next != null) {
                        next.close();
                    }
                    retire(p);
                    p = null;
                    failed(e.getMessage(), 1, false);
                    continue;
                }
                finish(p);
                p = next;
                running = p;
                format = null;
                start = System.nanoTime();
                lastTick = 0;
                tick = 0;
            }
            if (p.queued() >= options.queue()) {
                dropped.incrementAndGet();
                continue;
            }
            int size;
            long newCapture = -1;
            boolean dma = false;
            int dmaFd = -1;
            long dmaSize = 0;
            long dmaOffset = 0;
            int dmaStride = 0;
            synchronized (lock) {
                if (pendingUnsent) {
                    pendingUnsent = false;
                    newCapture = pendingCaptureNanos;
                }
                if (pendingFd >= 0) {
                    dma = true;
                    // a dup for this buffer: GStreamer closes it when it frees the memory
                    dmaFd = gst.dmaBuf().libc().dup(pendingFd);
                    dmaSize = pendingFdSize;
                    dmaOffset = pendingOffset;
                    dmaStride = pendingStride;
                    if (!pendingFormat.equals(format) || pendingWidth != width || pendingHeight != height || !dmaCaps) {
                        format = pendingFormat;
                        width = pendingWidth;
                        height = pendingHeight;
                        dmaCaps = true;
                        p.caps(Descriptions.caps(format, width, height, options.fps())
                                .replaceFirst("video/x-raw", "video/x-raw(" + GstPipeline.DMABUF_FEATURE + ")"));
                    }
                }
            }
            if (dma) {
                if (latency != null) {
                    if (firstPushedPts < 0) {
                        firstPushedPts = tick * period;
                    }
                    if (newCapture >= 0) {
                        captureByPts.put(tick * period, newCapture);
                    }
                }
                if (dmaFd >= 0 && p.pushDmaBuf(dmaFd, dmaSize, format, width, height, dmaOffset, dmaStride, tick * period,
                        period)) {
                    pushed.incrementAndGet();
                } else {
                    dropped.incrementAndGet();
                }
                continue;
            }
            synchronized (lock) {
                size = pendingWidth * pendingHeight * 4;
                if (out == null || out.capacity() < size) {
                    out = ByteBuffer.allocateDirect(size).order(ByteOrder.LITTLE_ENDIAN);
                }
                out.clear().put(pending.duplicate().clear().limit(size));
                if (options.cursor() && cursorShown) {
                    drawCursor(out, pendingWidth, pendingHeight, pendingFormat);
                }
                if (!pendingFormat.equals(format) || pendingWidth != width || pendingHeight != height || dmaCaps) {
                    format = pendingFormat;
                    width = pendingWidth;
                    height = pendingHeight;
                    dmaCaps = false;
                    p.caps(Descriptions.caps(format, width, height, options.fps()));
                }
            }
            if (latency != null) {
                if (firstPushedPts < 0) {
                    firstPushedPts = tick * period;
                }
                if (newCapture >= 0) {
                    captureByPts.put(tick * period, newCapture);
                }
            }
            if (p.push(out, size, tick * period, period)) {
                pushed.incrementAndGet();
            } else {
                dropped.incrementAndGet();
            }
        }
        if (p != null) {
            finish(p);
        }
        joinFinisher();
        running = null;
        synchronized (lock) {
            closePendingFd();
        }
    }

    /**
     * A pipeline writing the next piece: the configured file, or with rotation the next
     * {@link StreamRotation} segment. Old pieces beyond {@code keep} are deleted at once, except
     * the piece the running pipeline still writes: that one once it is finished.
     *
     * @throws IllegalStateException when GStreamer refuses it, or the directory cannot be listed
     */
    private GstPipeline open(int width, int height) {
        java.util.Map<String, String> properties = Descriptions.sinkProperties(options);
        if (rotation != null) {
            Path base = Path.of(options.target().location());
            if (!rotation.scanned()) {
                Path dir = base.toAbsolutePath().getParent();
                try (var files = Files.list(dir)) {
                    rotation.existing(files.map(f -> f.getFileName().toString()).toList());
                } catch (IOException | RuntimeException e) {
                    throw new IllegalStateException("cannot list " + dir + ": " + e.getMessage());
                }
            }
            Path next;
            List<Path> old;
            synchronized (rotation) {
                next = rotation.next();
                while (Files.exists(next, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    next = rotation.next();
                }
                old = rotation.opened(next);
            }
            properties.put("location", next.toString());
            GstPipeline current = running;
            for (Path o : old) {
                if (current != null && o.toString().equals(current.location())) {
                    current.deleteAfterFinish(List.of(o));
                } else {
                    delete(o);
                }
            }
            pieces++;
        }
        LatencyListener l = latency;
        captureByPts.clear();
        firstPushedPts = -1;
        // an encoder may move the timeline (GstVideoEncoder adds 1000 hours, x264 rounds to its
        // time base): the first buffer out is the first pushed, and PTS are matched to the period
        long[] offset = {Long.MIN_VALUE};
        return new GstPipeline(gst, Descriptions.of(options, encoder, width, height), properties, l == null ? null
                : (pts, now) -> {
                    long first = firstPushedPts;
                    if (first < 0) {
                        return;
                    }
                    if (offset[0] == Long.MIN_VALUE) {
                        offset[0] = pts - first;
                    }
                    long key = Math.round((pts - offset[0]) / (double) period) * period;
                    Long captured = captureByPts.remove(key);
                    if (captured != null) {
                        l.latency(now - captured);
                    }
                });
    }

    /** Deletes an old piece of a rotated recording; one that cannot be is named again at the next piece. */
    private void delete(Path old) {
        try {
            Files.deleteIfExists(old);
            synchronized (rotation) {
                rotation.deleted(old);
            }
        } catch (IOException e) {
            log.warn(label + ": cannot delete the old piece " + old + " (keep " + options.rotation().keep()
                    + "): " + e.getMessage() + "; it is tried again at the next piece");
        }
    }

    /** Ends a pipeline's stream: on the finisher thread when recording goes on, else here. */
    private void finish(GstPipeline p) {
        joinFinisher();
        if (closing) {
            finishNow(p);
            return;
        }
        finisher = new Thread(() -> finishNow(p), "scanout-video-" + label + "-finish");
        finisher.setDaemon(true);
        finisher.start();
    }

    private void finishNow(GstPipeline p) {
        String why = p.finish(FINISH_NANOS);
        if (why != null) {
            lastError = why;
            log.warn(label + ": " + where() + " was not finished cleanly: " + why);
        }
        doneFrames.addAndGet(p.frames());
        doneBytes.addAndGet(p.bytes());
        for (Path old : p.deleteAfterFinish()) {
            delete(old);
        }
    }

    private void joinFinisher() {
        if (finisher != null) {
            try {
                finisher.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            finisher = null;
        }
    }

    private boolean hasFrameUnlocked() {
        synchronized (lock) {
            return hasFrame;
        }
    }

    private void retire(GstPipeline p) {
        doneFrames.addAndGet(p.frames());
        doneBytes.addAndGet(p.bytes());
        running = null;
        p.close();
    }

    /** Notes a failure; returns when to try again (a recording is not retried). */
    private long failed(String why, int failures, boolean alreadyDown) {
        lastError = why;
        boolean retry = options.target() == null || !options.target().kind().file();
        if (!retry) {
            failed = true;
            log.warn(label + ": recording to " + where() + " stopped: " + why);
            return 0;
        }
        if (!alreadyDown) {
            String retrying = "; retrying with back-off, frames are dropped (counted) until it is back";
            log.warn(label + ": " + where() + " failed: " + why + retrying);
        }
        return System.nanoTime() + Math.max(1, RECONNECT.delayNanos(failures));
    }

    private String where() {
        return options.target() == null ? "the configured pipeline" : options.target().shown();
    }
}
