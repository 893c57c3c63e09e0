package io.github.scanout.core.internal.pipeline;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.support.ConditionLog;

/**
 * One run of failed polls, from the first failure to the next successful poll: counts them, logs
 * each kind of failure at a limited rate (the same message is said once, then summarised by
 * {@link ConditionLog}), and says when sinks should be told (after {@value #ANNOUNCE_AFTER}
 * failures in a row, {@value #ANNOUNCE_TRANSIENT_AFTER} for transient ones) and when the device
 * answers again.
 *
 * <p>Threads: capture thread only.
 */
final class ErrorEpisode {

    /** Consecutive failing ticks before sinks are told (non-transient, transient). */
    static final int ANNOUNCE_AFTER = 3;
    static final int ANNOUNCE_TRANSIENT_AFTER = 10;

    private final ConditionLog log;
    private final String label;
    private int consecutive;
    private boolean announced;
    private String key;

    ErrorEpisode(ConditionLog log, String label) {
        this.log = log;
        this.label = label;
    }

    /**
     * Records a failed poll (not a vanished device) and logs it.
     *
     * @return true exactly once per episode: when sinks should now be told that the device fails
     */
    boolean failed(DeviceException e, String why) {
        consecutive++;
        String k = (e.isTransient() ? "transient:" : "error:") + why;
        if (!k.equals(key) && key != null) {
            log.clear(key);
        }
        key = k;
        if (e.isTransient()) {
            log.report(System.Logger.Level.DEBUG, k, label + ": transient device error, retrying: " + why, null);
        } else {
            log.report(System.Logger.Level.WARNING, k, label + ": " + why + " (retrying with back-off)", null);
        }
        int threshold = e.isTransient() ? ANNOUNCE_TRANSIENT_AFTER : ANNOUNCE_AFTER;
        if (consecutive >= threshold && !announced) {
            announced = true;
            return true;
        }
        return false;
    }

    /** Failed polls in a row so far. */
    int consecutive() {
        return consecutive;
    }

    /**
     * A poll succeeded: ends the episode (says so when sinks had been told).
     *
     * @return whether sinks had been told, so a fresh frame should follow
     */
    boolean recovered() {
        if (consecutive == 0) {
            return false;
        }
        boolean wasAnnounced = announced;
        if (announced) {
            log.always(System.Logger.Level.INFO, label + ": the device answers again after " + consecutive
                    + " failed polls");
        }
        if (key != null) {
            log.clear(key);
            key = null;
        }
        consecutive = 0;
        announced = false;
        return wasAnnounced;
    }

    /** Forgets the episode without a word (the device was released). */
    void clear() {
        consecutive = 0;
        announced = false;
    }
}
