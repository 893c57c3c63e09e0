package io.github.scanout.core;

import io.github.scanout.api.PlaneInfo;
import io.github.scanout.api.buffer.PlaneBuffer;
import io.github.scanout.api.pixels.PixelConverter;
import io.github.scanout.api.sink.Frame;
import io.github.scanout.api.sink.FrameSink;
import io.github.scanout.api.sink.SinkNeeds;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import javax.imageio.ImageIO;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * The current picture of a device's pipeline, once: the one implementation behind
 * {@code scanout:snapshot} and the web console's {@code snapshot.png}. A one-shot sink is
 * attached to the pipeline (a newcomer is replayed the current frame at once), takes a lease on
 * the first frame and is detached; the frame goes through the api's canonical
 * {@link PixelConverter} into an 8-bit RGB image (ARGB for formats with alpha). The primary
 * plane only: the cursor is not composited (the file sink does that).
 *
 * <p>The sink declares {@link SinkNeeds#cpuSnapshots()}, so a buffer the CPU cannot read goes
 * through an importer as for any CPU sink; when none can read it, the pipeline's no-signal
 * reason is the error.
 *
 * <p>Threads: {@link #take} on the caller's thread; the sink's methods on the pipeline's
 * delivery thread for it.
 *
 * @param image the picture
 * @param plane the plane it was converted from
 * @param sequence the frame's sequence number
 */
public record FrameSnapshot(BufferedImage image, PlaneInfo plane, long sequence) {
    private static final AtomicLong COUNTER = new AtomicLong();

    public FrameSnapshot {
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(plane, "plane");
    }

    /**
     * Takes the pipeline's current frame.
     *
     * @param timeout how long to wait for a frame
     * @throws IllegalStateException when no frame comes within {@code timeout} (with the
     *     pipeline's no-signal reason), or the frame cannot be converted (one line)
     */
    public static FrameSnapshot take(ManagedPipeline pipeline, Duration timeout) throws InterruptedException {
        OneShot sink = new OneShot();
        PlaneBuffer buffer = null;
        SinkHandle handle = pipeline.attach(sink, "snapshot-" + COUNTER.incrementAndGet());
        try {
            buffer = sink.first.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            String why = sink.noSignal;
            throw new IllegalStateException("no frame from " + pipeline.name() + " within " + timeout.toMillis() + " ms"
                    + (why == null ? "" : ": " + why));
        } catch (ExecutionException e) {
            throw new IllegalStateException("no frame from " + pipeline.name() + ": " + e.getCause(), e.getCause());
        } finally {
            handle.close(); // no sink call after this returns
            if (buffer == null && !sink.first.cancel(false) && !sink.first.isCompletedExceptionally()) {
                sink.first.join().close(); // a frame that came after the timeout
            }
        }
        try (PlaneBuffer b = buffer) {
            PlaneInfo info = b.info();
            if (!b.cpuReadable()) {
                throw new IllegalStateException("the frame of " + pipeline.name() + " is " + b.memory()
                        + ": the CPU cannot read it and no importer did");
            }
            int[] argb = PixelConverter.toArgb(info, b.pixels());
            boolean alpha = info.format().spec().map(s -> s.alpha()).orElse(false);
            BufferedImage image = new BufferedImage(info.width(), info.height(),
                    alpha ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
            image.setRGB(0, 0, info.width(), info.height(), argb, 0, info.width());
            return new FrameSnapshot(image, info, sink.sequence);
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            throw new IllegalStateException("the frame of " + pipeline.name() + " cannot be converted: " + e.getMessage(), e);
        }
    }

    /**
     * Writes the picture as PNG to {@code out} (not closed). The stream is ImageIO's over
     * {@code out}, not one ImageIO opens: given a file it cannot open, ImageIO prints a stack
     * trace to {@code System.err}.
     */
    public void writePng(OutputStream out) throws IOException {
        try (ImageOutputStream ios = new MemoryCacheImageOutputStream(out)) {
            if (!ImageIO.write(image, "png", ios)) {
                throw new IOException("ImageIO has no PNG writer");
            }
        }
    }

    /** The picture as PNG bytes. */
    public byte[] png() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            writePng(out);
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode the picture as PNG: " + e.getMessage(), e);
        }
        return out.toByteArray();
    }

    /** The one-shot sink: a lease on the first frame. */
    private static final class OneShot implements FrameSink {
        final CompletableFuture<PlaneBuffer> first = new CompletableFuture<>();
        volatile String noSignal;
        volatile long sequence;

        @Override
        public SinkNeeds needs() {
            return SinkNeeds.cpuSnapshots();
        }

        @Override
        public void frame(Frame frame) {
            if (first.isDone()) {
                return;
            }
            sequence = frame.sequence();
            PlaneBuffer lease = frame.primary().retain();
            if (!first.complete(lease)) {
                lease.close();
            }
        }

        @Override
        public void noSignal(String reason) {
            noSignal = reason;
        }
    }
}
