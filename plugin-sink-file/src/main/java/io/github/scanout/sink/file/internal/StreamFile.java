package io.github.scanout.sink.file.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The file a stream (raw or Y4M) is appended to, with the rules that keep it readable:
 * <ul>
 *   <li>an existing file is never overwritten or appended to: the stream goes to the first
 *       free name among {@code NAME.EXT}, {@code NAME-2.EXT}, {@code NAME-3.EXT} ...;
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
    }

    private final Disk disk;
    private final Path path;
    private final boolean fsync;
    private final Lost lost;
    private Disk.OutFile out;
    private Path current;
    private Object identity;
    private long size;
    private long appended;

    StreamFile(Disk disk, Path path, boolean fsync, Lost lost) {
        this.disk = disk;
        this.path = path;
        this.fsync = fsync;
        this.lost = lost;
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
        for (int n = 1; ; n++) {
            Path candidate = n == 1 ? path : numbered(path, n);
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
            return;
        }
    }

    /** {@code dir/name-N.ext}. */
    static Path numbered(Path path, int n) {
        String name = path.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String numbered = dot > 0 ? name.substring(0, dot) + "-" + n + name.substring(dot) : name + "-" + n;
        return path.resolveSibling(numbered);
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
