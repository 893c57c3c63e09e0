package io.github.scanout.sink.file.internal;

import io.github.scanout.api.support.Backoff;
import io.github.scanout.api.support.Reporter;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The sink's failure bookkeeping: one log line per distinct condition (not per frame), back-off
 * between attempts while writing fails (1 s, doubling to 30 s; frames arriving meanwhile are
 * skipped and counted), and one line when writing works again.
 *
 * <p>Threads: confined to the sink's delivery thread.
 */
final class Faults {
    static final long FIRST_DELAY_NANOS = TimeUnit.SECONDS.toNanos(1);
    static final long MAX_DELAY_NANOS = TimeUnit.SECONDS.toNanos(30);
    /** The one back-off policy type of Scanout: 1 s doubling to 30 s. */
    static final Backoff BACKOFF = new Backoff(FIRST_DELAY_NANOS, MAX_DELAY_NANOS, 0);

    private final String sink;
    private final Reporter log;
    private final LongSupplier clock;
    private final Set<String> reportedProblems = new HashSet<>();
    private String condition;
    /** Consecutive failed writes in the current condition episode. */
    private int failures;
    private long retryAt;
    private long skipped;

    Faults(String sink, Reporter log, LongSupplier clock) {
        this.sink = sink;
        this.log = log;
        this.clock = clock;
    }

    /** Whether an attempt may be made now (not inside a back-off). */
    boolean mayTry() {
        return condition == null || clock.getAsLong() - retryAt >= 0;
    }

    /** A frame was not written because of the back-off. */
    void skipped() {
        skipped++;
    }

    /** Writing to {@code target} failed: log if the condition is new, back off. */
    void failed(Path target, IOException e) {
        String reason = reason(e);
        failures = condition == null ? 1 : failures + 1;
        long delay = BACKOFF.delayNanos(failures);
        retryAt = clock.getAsLong() + delay;
        if (!reason.equals(condition)) {
            condition = reason;
            log.warn("file sink '" + sink + "': cannot write to " + target + ": " + reason
                    + " (frames are skipped; retrying in " + TimeUnit.NANOSECONDS.toSeconds(delay)
                    + " s, backing off to " + TimeUnit.NANOSECONDS.toSeconds(MAX_DELAY_NANOS) + " s)");
        }
    }

    /** A write succeeded: if it was failing, say that it recovered. */
    void succeeded(Path target) {
        if (condition != null) {
            log.info("file sink '" + sink + "': writing to " + target + " again after: " + condition + " ("
                    + skipped + " frames skipped while failing)");
            condition = null;
            failures = 0;
            skipped = 0;
        }
    }

    /**
     * A problem that is not an I/O failure (a frame the sink cannot read, no signal): logged
     * once per {@code key} and {@code condition} until {@link #resolved(String)} is called for
     * the key.
     *
     * @param condition what makes two occurrences the same problem (not the frame number)
     * @param message the line to log, without the sink's name
     */
    void problem(String key, String condition, String message, boolean warning) {
        if (reportedProblems.add(key + '\n' + condition)) {
            String line = "file sink '" + sink + "': " + message;
            if (warning) {
                log.warn(line);
            } else {
                log.info(line);
            }
        }
    }

    /** The problems under {@code key} are over; a recurrence is logged again. */
    void resolved(String key) {
        reportedProblems.removeIf(p -> p.startsWith(key + '\n'));
    }

    /** The operator's words for an I/O failure, without the temporary file names. */
    static String reason(IOException e) {
        if (e instanceof NoSuchFileException f) {
            return f.getReason() != null ? f.getReason() : "no such file or directory";
        }
        if (e instanceof NotDirectoryException) {
            return "not a directory";
        }
        if (e instanceof AccessDeniedException a) {
            return a.getReason() != null ? a.getReason() : "permission denied";
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }
}
