package io.github.scanout.core.internal.shell;

import io.github.scanout.api.PlaneInfo;
import io.github.scanout.api.buffer.PlaneBuffer;
import io.github.scanout.api.pixels.PixelConverter;
import io.github.scanout.api.sink.Frame;
import io.github.scanout.api.sink.FrameSink;
import io.github.scanout.api.sink.SinkNeeds;
import io.github.scanout.core.ManagedPipeline;
import io.github.scanout.core.SinkHandle;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import javax.imageio.ImageIO;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * {@code scanout:snapshot}: the current frame of a device as a PNG file. A one-shot sink is
 * attached to the device's pipeline (a newcomer is replayed the current frame at once), takes a
 * lease on the first frame and is detached; the frame goes through the api's canonical
 * {@link PixelConverter} and is written with ImageIO (8-bit RGB, or RGBA for formats with
 * alpha), into a temporary file renamed into place. The primary plane only: the cursor is not
 * composited (the file sink does that).
 *
 * <p>The sink declares {@link SinkNeeds#cpuSnapshots()}, so a buffer the CPU cannot read goes
 * through an importer as for any CPU sink; when none can read it, the pipeline's no-signal reason
 * is the error.
 *
 * <p>Threads: {@link #take} on the caller's thread (the shell's); the sink methods on the
 * pipeline's delivery thread for it.
 */
final class Snapshot implements FrameSink {
    private static final AtomicLong COUNTER = new AtomicLong();

    private final CompletableFuture<PlaneBuffer> first = new CompletableFuture<>();
    private volatile String noSignal;
    private volatile long sequence;

    /** What was written. */
    record Written(Path file, PlaneInfo plane, long sequence) {}

    private Snapshot() {}

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

    /**
     * Writes the current frame of the pipeline to {@code file}.
     *
     * @throws IllegalStateException when no frame comes within {@code timeout} (with the
     *     pipeline's no-signal reason), or the frame cannot be converted
     * @throws IOException when the file cannot be written
     */
    static Written take(ManagedPipeline pipeline, Path file, Duration timeout) throws IOException, InterruptedException {
        Path target = file.toAbsolutePath().normalize();
        Path dir = target.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new IOException("directory " + dir + " does not exist");
        }
        if (!Files.isWritable(dir)) {
            throw new IOException("cannot write " + target + ": directory " + dir + " is not writable");
        }
        Snapshot sink = new Snapshot();
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
            write(image, target);
            return new Written(target, info, sink.sequence);
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            throw new IllegalStateException("the frame of " + pipeline.name() + " cannot be converted: " + e.getMessage(), e);
        }
    }

    /**
     * Writes the PNG to a temporary sibling and renames it into place. The stream is opened here,
     * not by ImageIO: given a {@code File} it cannot open, ImageIO prints a stack trace to
     * {@code System.err} and throws "Can't create an ImageOutputStream!".
     *
     * @throws IOException with one line naming {@code target} and the reason
     */
    static void write(BufferedImage image, Path target) throws IOException {
        Path temp = target.resolveSibling("." + target.getFileName() + ".tmp");
        boolean created = false;
        try {
            try (OutputStream os = Files.newOutputStream(temp);
                    ImageOutputStream ios = new MemoryCacheImageOutputStream(os)) {
                created = true;
                if (!ImageIO.write(image, "png", ios)) {
                    throw new IOException("ImageIO has no PNG writer");
                }
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new IOException("cannot write " + target + ": " + reason(e), e);
        } finally {
            if (created) {
                Files.deleteIfExists(temp);
            }
        }
    }

    /** The reason of a failed write in words, without the path (the caller names the target). */
    static String reason(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
