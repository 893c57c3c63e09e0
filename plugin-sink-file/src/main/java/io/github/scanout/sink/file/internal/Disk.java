package io.github.scanout.sink.file.internal;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

/**
 * The few file operations the sink makes, behind one seam so that fault tests can inject a
 * full disk, a read-only directory or a vanished file on any machine ({@link RealDisk} is the
 * production implementation, on {@link java.nio.channels.FileChannel} and {@link java.nio.file.Files}).
 *
 * <p>Threads: called from the sink's delivery thread only.
 */
public interface Disk {

    /** A file open for writing. */
    interface OutFile extends Closeable {
        /** Writes all of {@code src} (position to limit) at the end of the file. */
        void write(ByteBuffer src) throws IOException;

        /** Bytes written so far (the file size). */
        long size() throws IOException;

        /** Cuts the file back to {@code size} bytes (drops a partly written frame). */
        void truncate(long size) throws IOException;

        /** Flushes the file's data to the device ({@code fdatasync}). */
        void sync() throws IOException;
    }

    /** A file found by {@link #list}. */
    record Entry(Path path, long modifiedMillis) {}

    /**
     * Creates a new file; fails if it exists ({@link java.nio.file.FileAlreadyExistsException})
     * or its directory is missing ({@link java.nio.file.NoSuchFileException}).
     */
    OutFile create(Path file) throws IOException;

    /** Renames {@code from} to {@code to} atomically, replacing {@code to}. */
    void moveAtomically(Path from, Path to) throws IOException;

    /** Deletes the file if it is there. */
    void deleteIfExists(Path file) throws IOException;

    /** Whether {@code dir} is an existing directory. */
    boolean isDirectory(Path dir);

    /**
     * What identifies the file now (device and inode), or {@code null} when there is no file
     * at that path: a different value means the file was replaced.
     */
    Object identity(Path file);

    /**
     * The space of a file system.
     *
     * @param usable bytes an unprivileged writer can still use
     * @param total the file system's size in bytes
     */
    record Space(long usable, long total) {}

    /** The space of the file system that holds {@code dir} (the free-space floor's probe). */
    Space space(Path dir) throws IOException;

    /** The regular files directly in {@code dir}. */
    List<Entry> list(Path dir) throws IOException;
}
