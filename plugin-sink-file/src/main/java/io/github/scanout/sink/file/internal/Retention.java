package io.github.scanout.sink.file.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Keeps the newest N snapshots: the files of this sink's name pattern and device, including
 * those left by an earlier run (found once, oldest first by modification time), and deletes
 * the oldest beyond N after each write. Files that do not match the pattern are never touched.
 *
 * <p>Threads: confined to the sink's delivery thread.
 */
final class Retention {
    private final Disk disk;
    private final int keep;
    private final Deque<Path> files = new ArrayDeque<>();
    private boolean scanned;

    /** @param keep how many files to keep; 0 = all (this object then does nothing) */
    Retention(Disk disk, int keep) {
        this.disk = disk;
        this.keep = keep;
    }

    /**
     * Records a file just written and deletes the oldest beyond the limit.
     *
     * @throws RetentionException when an old file cannot be deleted (it is tried again next time)
     * @throws IOException when the directory cannot be listed (tried again next time)
     */
    void written(Path dir, Path file, Pattern names) throws IOException {
        if (keep == 0) {
            return;
        }
        if (!scanned) {
            List<Disk.Entry> old = disk.list(dir);
            old.stream()
                    .filter(e -> names.matcher(e.path().getFileName().toString()).matches())
                    .filter(e -> !e.path().equals(file))
                    .sorted(Comparator.comparingLong(Disk.Entry::modifiedMillis).thenComparing(Disk.Entry::path))
                    .forEach(e -> files.addLast(e.path()));
            scanned = true;
        }
        files.remove(file); // written again under the same name: it is the newest now
        files.addLast(file);
        while (files.size() > keep) {
            Path oldest = files.peekFirst();
            try {
                disk.deleteIfExists(oldest);
            } catch (IOException e) {
                throw new RetentionException("cannot delete old snapshot " + oldest + " (keep = " + keep + "): "
                        + Faults.reason(e), e);
            }
            files.removeFirst();
        }
    }
}
