package io.github.scanout.api.support;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeMap;

/**
 * When a sink that appends to a stream file (a raw or Y4M stream, a recorded video) closes its
 * file and starts the next one, what the files are called, and which old ones it deletes. It
 * does no I/O itself: the sink lists the directory once, creates and deletes files, and asks
 * this object what to do, so the same rules hold for every stream sink and are tested without
 * a file system.
 *
 * <p><b>Names.</b> The files of a stream configured as {@code DIR/NAME.EXT} are its
 * <em>segments</em>: segment 1 is {@code NAME.EXT} itself, segment N is {@code NAME-N.EXT}
 * ({@code NAME-N} without an extension). A new file always gets a number above every segment
 * already in the directory (found once, at the first {@link #next()}), so an existing file is
 * never overwritten or appended to, and the numbers order the segments from oldest to newest,
 * across restarts, without relying on modification times.
 *
 * <p><b>Triggers.</b> {@link #due} says when the current file is closed before a frame is
 * appended: when appending the frame would take the file past {@link Policy#maxBytes()}, or
 * when the file was started {@link Policy#maxNanos()} or more ago. A file always holds at
 * least one frame, however large: a frame is never split between files.
 *
 * <p><b>Retention.</b> With {@link Policy#keep()} N above 0, {@link #opened(Path)} names the
 * oldest segments beyond the newest N (the file just opened counts as one), which the sink
 * deletes and confirms with {@link #deleted(Path)}; a file it could not delete is named again
 * next time. Only names of this stream's segments are ever named: other files in the
 * directory are never touched.
 *
 * <p>Not thread-safe: confined to the sink's writing thread.
 */
public final class StreamRotation {

    /**
     * What a stream's rotation does.
     *
     * @param maxBytes the most bytes in one file before the next is started; 0 = no limit
     * @param maxNanos the longest time one file is written to before the next is started, in
     *     nanoseconds of the sink's clock; 0 = no limit
     * @param keep how many segments to keep, the newest ones; 0 = keep all
     */
    public record Policy(long maxBytes, long maxNanos, int keep) {
        /** No rotation, no retention: one file per stream start. */
        public static final Policy NONE = new Policy(0, 0, 0);

        /**
         * Checks the values.
         *
         * @param maxBytes the most bytes in one file, 0 = no limit
         * @param maxNanos the longest time one file is written to, 0 = no limit
         * @param keep how many segments to keep, 0 = all
         */
        public Policy {
            if (maxBytes < 0 || maxNanos < 0 || keep < 0) {
                throw new IllegalArgumentException("stream rotation: maxBytes " + maxBytes + ", maxNanos " + maxNanos
                        + " and keep " + keep + " must be 0 or more");
            }
        }
    }

    private final Path base;
    private final Policy policy;
    /** The segments known to exist, by number (oldest first). */
    private final TreeMap<Long, Path> segments = new TreeMap<>();
    private boolean scanned;
    private long nextNumber = 1;

    /**
     * @param base the configured stream file, {@code DIR/NAME.EXT}
     * @param policy when to rotate and how many files to keep
     */
    public StreamRotation(Path base, Policy policy) {
        this.base = java.util.Objects.requireNonNull(base, "base");
        this.policy = java.util.Objects.requireNonNull(policy, "policy");
        if (base.getFileName() == null) {
            throw new IllegalArgumentException("stream rotation: " + base + " has no file name");
        }
    }

    /** {@return the policy} */
    public Policy policy() {
        return policy;
    }

    /**
     * The name of segment {@code n} of a stream.
     *
     * @param base the configured stream file
     * @param n the segment number, 1 or more
     * @return {@code base} for 1, {@code DIR/NAME-n.EXT} above
     */
    public static Path segment(Path base, long n) {
        if (n < 1) {
            throw new IllegalArgumentException("segment number " + n + " is below 1");
        }
        if (n == 1) {
            return base;
        }
        String name = base.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String numbered = dot > 0 ? name.substring(0, dot) + "-" + n + name.substring(dot) : name + "-" + n;
        return base.resolveSibling(numbered);
    }

    /**
     * The segment number of a file name, if it is one of this stream's segments.
     *
     * @param base the configured stream file
     * @param fileName a file name in the stream's directory (no directory part)
     * @return its number, or 0 when it is not a segment of this stream
     */
    public static long number(Path base, String fileName) {
        String name = base.getFileName().toString();
        if (fileName.equals(name)) {
            return 1;
        }
        int dot = name.lastIndexOf('.');
        String stem = dot > 0 ? name.substring(0, dot) : name;
        String ext = dot > 0 ? name.substring(dot) : "";
        if (!fileName.startsWith(stem + "-") || !fileName.endsWith(ext)
                || fileName.length() <= stem.length() + 1 + ext.length()) {
            return 0;
        }
        String digits = fileName.substring(stem.length() + 1, fileName.length() - ext.length());
        if (digits.length() > 18 || digits.charAt(0) == '0') {
            return 0;
        }
        for (int i = 0; i < digits.length(); i++) {
            if (digits.charAt(i) < '0' || digits.charAt(i) > '9') {
                return 0;
            }
        }
        long n = Long.parseLong(digits);
        return n >= 2 ? n : 0;
    }

    /**
     * Tells the rotation which files are in the stream's directory, before the first
     * {@link #next()}; files that are not segments of this stream are ignored. Calling it
     * again adds to what is known.
     *
     * @param fileNames the names of the files in the directory (no directory part)
     */
    public void existing(Collection<String> fileNames) {
        for (String f : fileNames) {
            long n = number(base, f);
            if (n > 0) {
                segments.put(n, segment(base, n));
                nextNumber = Math.max(nextNumber, n + 1);
            }
        }
        scanned = true;
    }

    /** {@return whether {@link #existing} was called} */
    public boolean scanned() {
        return scanned;
    }

    /**
     * The name for the next file: a segment number above every one seen or handed out. If
     * creating it fails because the name was taken meanwhile, call this again.
     *
     * @return the path to create
     */
    public Path next() {
        return segment(base, nextNumber++);
    }

    /**
     * Whether the current file is to be closed before appending a frame.
     *
     * @param fileBytes the bytes in the current file now
     * @param frameBytes the bytes the next frame will add
     * @param openedNanos when the current file was started (sink clock)
     * @param nowNanos now (sink clock)
     * @return true to start a new file first; never for an empty file
     */
    public boolean due(long fileBytes, long frameBytes, long openedNanos, long nowNanos) {
        if (fileBytes <= 0) {
            return false;
        }
        if (policy.maxBytes() > 0 && fileBytes + frameBytes > policy.maxBytes()) {
            return true;
        }
        return policy.maxNanos() > 0 && nowNanos - openedNanos >= policy.maxNanos();
    }

    /**
     * A new file was created: records it and names the segments to delete.
     *
     * @param file the file just created (from {@link #next()})
     * @return the oldest segments beyond {@link Policy#keep()}, oldest first; empty when keep is
     *     0. Confirm each deletion with {@link #deleted(Path)}.
     */
    public List<Path> opened(Path file) {
        long n = number(base, file.getFileName().toString());
        if (n > 0) {
            segments.put(n, file);
        }
        List<Path> out = new ArrayList<>();
        if (policy.keep() > 0) {
            int excess = segments.size() - policy.keep();
            for (Path p : segments.values()) {
                if (excess-- <= 0) {
                    break;
                }
                out.add(p);
            }
        }
        return out;
    }

    /**
     * A segment was deleted (or found gone): it is no longer counted.
     *
     * @param file the segment
     */
    public void deleted(Path file) {
        long n = number(base, file.getFileName().toString());
        if (n > 0) {
            segments.remove(n);
        }
    }

    /** {@return the segments known to exist, oldest first} */
    public List<Path> segments() {
        return List.copyOf(segments.values());
    }
}
