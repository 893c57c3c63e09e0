package io.github.scanout.sink.file.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The real disk with faults on demand: a full file system (a byte quota; a write that does not
 * fit writes what fits and fails with "No space left on device", as write(2) does), a
 * read-only file system, and a hook that runs during every write (to look at the directory
 * while a file is half written). It keeps the sizes of the files it wrote so that deleting or
 * truncating gives space back.
 */
final class FaultyDisk implements Disk {
    private final RealDisk real = new RealDisk();
    private final Map<Path, Long> sizes = new HashMap<>();
    final List<String> operations = new ArrayList<>();
    private long spaceLeft = Long.MAX_VALUE;
    private boolean readOnly;
    private Runnable duringWrite = () -> {};
    /** What {@link #space} says; plenty unless a test lowers it (independent of the quota). */
    private volatile Space space = new Space(Long.MAX_VALUE / 2, Long.MAX_VALUE / 2);

    /** The free-space probe reports this. */
    void space(long usable, long total) {
        space = new Space(usable, total);
    }

    /** The file system holds only this many more bytes. */
    void quota(long bytes) {
        spaceLeft = bytes;
    }

    void unlimited() {
        spaceLeft = Long.MAX_VALUE;
    }

    void readOnly(boolean value) {
        readOnly = value;
    }

    void duringWrite(Runnable hook) {
        duringWrite = hook;
    }

    private class File implements OutFile {
        private final Path path;
        private final OutFile out;

        File(Path path, OutFile out) {
            this.path = path;
            this.out = out;
        }

        @Override
        public void write(ByteBuffer src) throws IOException {
            operations.add("write " + path.getFileName());
            duringWrite.run();
            int n = src.remaining();
            if (n > spaceLeft) {
                ByteBuffer part = src.duplicate();
                part.limit(part.position() + (int) spaceLeft);
                out.write(part);
                sizes.merge(path, spaceLeft, Long::sum);
                spaceLeft = 0;
                throw new IOException("No space left on device");
            }
            out.write(src);
            sizes.merge(path, (long) n, Long::sum);
            if (spaceLeft != Long.MAX_VALUE) {
                spaceLeft -= n;
            }
        }

        @Override
        public long size() throws IOException {
            return out.size();
        }

        @Override
        public void truncate(long size) throws IOException {
            operations.add("truncate " + path.getFileName() + " " + size);
            long before = sizes.getOrDefault(path, 0L);
            out.truncate(size);
            sizes.put(path, size);
            if (spaceLeft != Long.MAX_VALUE) {
                spaceLeft += before - size;
            }
        }

        @Override
        public void sync() throws IOException {
            operations.add("sync " + path.getFileName());
            out.sync();
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }

    @Override
    public OutFile create(Path file) throws IOException {
        operations.add("create " + file.getFileName());
        if (readOnly) {
            throw new FileSystemException(file.toString(), null, "Read-only file system");
        }
        return new File(file, real.create(file));
    }

    @Override
    public void moveAtomically(Path from, Path to) throws IOException {
        operations.add("move " + from.getFileName() + " " + to.getFileName());
        if (readOnly) {
            throw new FileSystemException(from.toString(), to.toString(), "Read-only file system");
        }
        real.moveAtomically(from, to);
        Long size = sizes.remove(from);
        if (size != null) {
            Long old = sizes.put(to, size);
            if (old != null && spaceLeft != Long.MAX_VALUE) {
                spaceLeft += old;
            }
        }
    }

    @Override
    public void deleteIfExists(Path file) throws IOException {
        operations.add("delete " + file.getFileName());
        if (readOnly) {
            throw new FileSystemException(file.toString(), null, "Read-only file system");
        }
        real.deleteIfExists(file);
        Long size = sizes.remove(file);
        if (size != null && spaceLeft != Long.MAX_VALUE) {
            spaceLeft += size;
        }
    }

    @Override
    public boolean isDirectory(Path dir) {
        return real.isDirectory(dir);
    }

    @Override
    public Object identity(Path file) {
        return real.identity(file);
    }

    @Override
    public Space space(Path dir) throws IOException {
        return space;
    }

    @Override
    public List<Entry> list(Path dir) throws IOException {
        return real.list(dir);
    }
}
