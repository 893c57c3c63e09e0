package io.github.scanout.sink.file.internal;

import io.github.scanout.api.support.StreamRotation;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The file a stream (raw or Y4M) is appended to, with the rules that keep it readable:
 * <ul>
 *   <li>an existing file is never overwritten or appended to: the stream's files are
 *       {@code NAME.EXT}, {@code NAME-2.EXT}, {@code NAME-3.EXT} ..., and a new one gets a number
 *       above every one already in the directory ({@link StreamRotation} names them);
 *   <li>rotation: a new file is started before a frame that would take the current one past
 *       {@code rotate.bytes}, or once it has been written to for {@code rotate.seconds}; with
 *       {@code keep} N, the oldest files of this stream beyond the newest N are deleted when a
 *       new one is started;
 *   <li>a path that is a directory is refused: the stream is never written next to it;
 *   <li>each frame is appended whole or not at all: when a write fails (disk full) the file is
 *       cut back to the end of the previous frame;
 *   <li>before each frame the file is checked (device and inode): if it was deleted or replaced
 *       under the sink, that is reported once and a new file is started.
 * </ul>
 *
 * <p>Threads: confined to the sink's delivery thread.
 */
final class StreamFile {
    /** What to do when a stream file disappears: report it. */
    interface Lost {
        void lost(Path file, Path next);

        /** An old file of the stream could not be deleted (retention); it is tried again later. */
        default void notDeleted(Path file, IOException e) {}
    }

    private final Disk disk;
    private final Path path;
    private final boolean fsync;
    private final Lost lost;
    private final StreamRotation rotation;
    private final java.util.function.LongSupplier clock;
    private long openedNanos;
    private Disk.OutFile out;
    private Path current;
    private Object identity;
    private long size;
    private long appended;

    StreamFile(Disk disk, Path path, boolean fsync, Lost lost) {
        this(disk, path, fsync, lost, StreamRotation.Policy.NONE, System::nanoTime);
    }

    /**
     * @param rotation when a new file is started and how many are kept
     * @param clock the sink's clock, for rotation by time
     */
    StreamFile(Disk disk, Path path, boolean fsync, Lost lost, StreamRotation.Policy rotation,
            java.util.function.LongSupplier clock) {
        this.disk = disk;
        this.path = path;
        this.fsync = fsync;
        this.lost = lost;
        this.rotation = new StreamRotation(path, rotation);
        this.clock = clock;
    }

    /**
     * Makes sure a file is open, still there, and not due for rotation before a frame of
     * {@code frameBytes}.
     *
     * @return true when a new file was started (the caller writes its stream header first)
     */
    boolean ensureOpen(long frameBytes) throws IOException {
        if (out != null && rotation.due(size, frameBytes, openedNanos, clock.getAsLong())) {
            release();
        }
        return ensureOpen();
    }

    /**
     * Makes sure a file is open and still there.
     *
     * @return true when a new file was started (the caller writes its stream header first)
     */
    boolean ensureOpen() throws IOException {
        if (out != null) {
            Object now = disk.identity(current);
            if (Objects.equals(now, identity)) {
                return false;
            }
            Path gone = current;
            release();
            open();
            lost.lost(gone, current);
            return true;
        }
        open();
        return true;
    }

    private void open() throws IOException {
        Path dir = path.toAbsolutePath().getParent();
        if (dir != null && !disk.isDirectory(dir)) {
            throw new NoSuchFileException(dir.toString(), null, "directory does not exist (the sink does not create it)");
        }
        if (disk.isDirectory(path)) {
            throw new java.nio.file.FileSystemException(path.toString(), null, "is a directory; a stream is written "
                    + "to a file: give a file name such as " + path.resolve("capture.y4m"));
        }
        if (!rotation.scanned() && dir != null) {
            rotation.existing(disk.list(dir).stream().map(e -> e.path().getFileName().toString()).toList());
        }
        while (true) {
            Path candidate = rotation.next();
            if (disk.identity(candidate) != null) {
                continue;
            }
            try {
                out = disk.create(candidate);
            } catch (FileAlreadyExistsException race) {
                continue;
            }
            current = candidate;
            identity = disk.identity(candidate);
            size = 0;
            openedNanos = clock.getAsLong();
            for (Path old : rotation.opened(candidate)) {
                try {
                    disk.deleteIfExists(old);
                    rotation.deleted(old);
                } catch (IOException e) {
                    lost.notDeleted(old, e);
                }
            }
            return;
        }
    }

    /** {@code dir/name-N.ext}. */
    static Path numbered(Path path, int n) {
        return StreamRotation.segment(path, n);
    }

    /**
     * Appends the buffers (position to limit each) as one unit: on failure the file is cut back
     * to its size before the call (a file that held nothing whole yet is deleted, and the next
     * {@link #ensureOpen()} starts a new one) and the exception is thrown.
     */
    void append(ByteBuffer... parts) throws IOException {
        long before = size;
        try {
            long written = 0;
            for (ByteBuffer p : parts) {
                written += p.remaining();
                out.write(p);
            }
            if (fsync) {
                out.sync();
            }
            size = before + written;
            appended += written;
        } catch (IOException e) {
            if (before == 0) {
                // nothing whole in it yet: leave no empty or partial file behind
                release();
                try {
                    disk.deleteIfExists(current);
                } catch (IOException d) {
                    e.addSuppressed(d);
                }
                throw e;
            }
            try {
                out.truncate(before);
            } catch (IOException t) {
                e.addSuppressed(t);
                release(); // cannot repair it: start a new file next time
            }
            throw e;
        }
    }

    /** Starts a new file at the next {@link #ensureOpen()} (a Y4M stream after a mode change). */
    void rollOver() {
        release();
    }

    /** Bytes appended whole since this stream started, over every file it used. */
    long appended() {
        return appended;
    }

    /** Bytes of whole frames (and the header) in the current file. */
    long size() {
        return size;
    }

    /** The file being written, or the configured path before the first one. */
    Path current() {
        return current != null ? current : path;
    }

    /** Closes the file; never throws. */
    void release() {
        if (out != null) {
            try {
                out.close();
            } catch (IOException ignored) {
                // the data is written; a failing close of a write-only channel has nothing to lose
            }
            out = null;
        }
    }

    boolean isOpen() {
        return out != null;
    }
}
