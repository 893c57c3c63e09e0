package io.github.scanout.sink.file.internal;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.regex.Pattern;

/**
 * PNG snapshots: one file per written frame in a directory, named by the
 * {@link NamePattern}, encoded by {@link PngEncoder}.
 *
 * <p>Atomic mode (the default) writes {@code .NAME.tmp} in the same directory, optionally
 * fsyncs it, and renames it over {@code NAME} with {@code ATOMIC_MOVE}: a reader sees the old
 * file or the whole new one, never half of it. On any failure the temporary file is deleted.
 * Without atomic mode the file is written in place and deleted if the write fails.
 *
 * <p>The directory is not created: a missing directory is reported (it is usually a typo or
 * an unmounted disk) and retried until it appears.
 *
 * <p>Threads: confined to the sink's delivery thread, except that the first frame after the
 * start or a {@link #release()} is encoded in bands of rows, all but one of them on the common
 * fork-join pool (the call waits for them).
 */
final class PngSnapshots implements Output {
    /** How many bands of rows the first frame is encoded in at once. */
    private static final int BANDS = PngEncoder.bandsPerCore();

    /**
     * The encoders (each with its output buffer) of PNG sinks that were closed, for the next
     * PNG sinks to start with: a sink configured or changed while frames flow (a configuration
     * change makes a new sink) then encodes its first frame in memory that is already mapped,
     * instead of several MB of fresh arrays at 1080p whose first touch cost more than the
     * encoding itself in the hot-swap benchmark. At most {@value #IDLE_ENCODERS} are kept.
     */
    static final int IDLE_ENCODERS = 2;
    private static final BlockingDeque<Encoding> IDLE = new LinkedBlockingDeque<>(IDLE_ENCODERS);

    /** An encoder and the buffer its files are encoded into, used by one sink at a time. */
    private record Encoding(PngEncoder encoder, ByteSink bytes) {}

    private final FileSinkOptions options;
    private final Disk disk;
    private final Encoding encoding;
    private final PngEncoder encoder;
    private final ByteSink bytes;
    /**
     * Whether the next frame is the first since the sink started or was detached: the one
     * someone is waiting for (a sink just configured or attached, {@code scanout snapshot}),
     * encoded in {@link #BANDS} bands on the common fork-join pool. Later frames are encoded on
     * the sink's thread alone: a steady stream gains no latency that matters from the hand-over,
     * and the other cores are left to the capture and the other devices.
     */
    private boolean first = true;
    private final Retention retention;
    private long counter;
    private String retentionDevice;
    private Pattern retentionNames;

    PngSnapshots(FileSinkOptions options, Disk disk) {
        this.options = options;
        this.disk = disk;
        this.retention = new Retention(disk, options.keep());
        Encoding idle = IDLE.pollFirst();
        this.encoding = idle != null ? idle : new Encoding(new PngEncoder(), new ByteSink(1 << 20));
        this.encoder = encoding.encoder();
        this.bytes = encoding.bytes();
    }

    @Override
    public long write(Shot shot) throws IOException {
        if (first && BANDS > 1) {
            encoder.encodeInBands(shot.rows(), bytes, BANDS, ForkJoinPool.commonPool());
        } else {
            encoder.encode(shot.rows(), bytes);
        }
        first = false;
        long size = bytes.asBuffer().remaining();
        Path dir = options.path();
        if (!disk.isDirectory(dir)) {
            if (disk.identity(dir) != null) {
                throw new NotDirectoryException(dir.toString());
            }
            throw new NoSuchFileException(dir.toString(), null, "directory does not exist (the sink does not create it)");
        }
        String name = options.namePattern().format(shot.device(), shot.sequence(), counter + 1, shot.wallMillis());
        Path target = dir.resolve(name);
        if (options.atomic()) {
            Path temp = dir.resolve("." + name + ".tmp");
            writeFile(temp);
            try {
                disk.moveAtomically(temp, target);
            } catch (IOException e) {
                deleteQuietly(temp, e);
                throw e;
            }
        } else {
            disk.deleteIfExists(target);
            writeFile(target);
        }
        counter++;
        if (!shot.device().equals(retentionDevice)) {
            retentionDevice = shot.device();
            retentionNames = options.namePattern().matcherFor(shot.device());
        }
        try {
            retention.written(dir, target, retentionNames);
        } catch (RetentionException e) {
            throw e.withBytes(size);
        }
        return size;
    }

    /**
     * Deletes the temporary files this sink's pattern makes ({@code .NAME.tmp}, NAME a name the
     * pattern gives for any device) that a crash left in the directory; nothing else is
     * touched. A directory that cannot be listed is passed over (the first write reports it).
     *
     * @return the files deleted
     */
    java.util.List<Path> removeStaleTemporaries() {
        java.util.List<Path> removed = new java.util.ArrayList<>();
        Pattern names = options.namePattern().matcherForAnyDevice();
        try {
            for (Disk.Entry e : disk.list(options.path())) {
                String n = e.path().getFileName().toString();
                if (n.length() > ".x.tmp".length() - 1 && n.startsWith(".") && n.endsWith(".tmp")
                        && names.matcher(n.substring(1, n.length() - ".tmp".length())).matches()) {
                    disk.deleteIfExists(e.path());
                    removed.add(e.path());
                }
            }
        } catch (IOException e) {
            // a missing or unreadable directory: the first write says so
        }
        return removed;
    }

    /** Creates {@code file} and writes the encoded bytes; on failure nothing is left behind. */
    private void writeFile(Path file) throws IOException {
        Disk.OutFile out;
        try {
            out = disk.create(file);
        } catch (FileAlreadyExistsException stale) {
            // a temporary file left by a crash: ours to replace
            disk.deleteIfExists(file);
            out = disk.create(file);
        }
        try (Disk.OutFile o = out) {
            o.write(bytes.asBuffer());
            if (options.fsync()) {
                o.sync();
            }
        } catch (IOException e) {
            deleteQuietly(file, e);
            throw e;
        }
    }

    private void deleteQuietly(Path file, IOException cause) {
        try {
            disk.deleteIfExists(file);
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
    }

    @Override
    public Path target() {
        return options.path();
    }

    @Override
    public void release() {
        // nothing is open between frames; the next frame is a first one again
        first = true;
    }

    /** Hands the encoder to the next PNG sink (or frees it when enough are kept). */
    @Override
    public void close() {
        if (!IDLE.offerFirst(encoding)) {
            encoder.close();
        }
    }
}
