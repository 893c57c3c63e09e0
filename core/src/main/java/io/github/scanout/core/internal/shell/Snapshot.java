package io.github.scanout.core.internal.shell;

import io.github.scanout.api.PlaneInfo;
import io.github.scanout.core.FrameSnapshot;
import io.github.scanout.core.ManagedPipeline;
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

/**
 * {@code scanout:snapshot}: the current frame of a device as a PNG file. The picture is core's
 * {@link FrameSnapshot} (one-shot sink, canonical pixel conversion); here it is written into a
 * temporary file renamed into place.
 *
 * <p>Threads: {@link #take} on the caller's thread (the shell's).
 */
final class Snapshot {
    /** What was written. */
    record Written(Path file, PlaneInfo plane, long sequence) {}

    private Snapshot() {}

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
        FrameSnapshot shot = FrameSnapshot.take(pipeline, timeout);
        write(shot, target);
        return new Written(target, shot.plane(), shot.sequence());
    }

    /**
     * Writes the PNG to a temporary sibling and renames it into place.
     *
     * @throws IOException with one line naming {@code target} and the reason
     */
    static void write(FrameSnapshot shot, Path target) throws IOException {
        Path temp = target.resolveSibling("." + target.getFileName() + ".tmp");
        boolean created = false;
        try {
            try (OutputStream os = Files.newOutputStream(temp)) {
                created = true;
                shot.writePng(os);
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
