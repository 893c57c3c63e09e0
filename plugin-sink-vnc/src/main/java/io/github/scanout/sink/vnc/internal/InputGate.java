package io.github.scanout.sink.vnc.internal;

import io.github.scanout.api.input.InputTarget;
import io.github.scanout.api.support.Reporter;
import java.util.Optional;

/**
 * A VNC sink's input path: whether its viewers may send input ({@code input=true}; view-only by
 * default) and where it goes (the device's {@link InputTarget}, handed over by the pipeline when
 * it attaches the sink). A viewer asks {@link #target()} for every event: null means drop it.
 *
 * <p>Threads: {@link #target(Optional)} on the thread that attaches the sink, {@link #forget()} on
 * its delivery thread, {@link #target()} on viewers' reader threads.
 */
final class InputGate {
    private final boolean allowed;
    private final String label;
    private final String device;
    private final Reporter log;
    private volatile InputTarget target;

    InputGate(boolean allowed, String label, String device, Reporter log) {
        this.allowed = allowed;
        this.label = label;
        this.device = device;
        this.log = log;
    }

    /** Whether this sink's configuration allows input at all. */
    boolean allowed() {
        return allowed;
    }

    /** The device's target, from the pipeline; said once in the log when input is allowed. */
    void target(Optional<InputTarget> t) {
        if (!allowed) {
            target = null;
            return;
        }
        target = t.orElse(null);
        if (t.isPresent()) {
            log.report(System.Logger.Level.INFO, "vnc sink " + label + ": viewers' keys and pointer go to device "
                    + device + " (input=true)");
        } else {
            log.report(System.Logger.Level.WARNING, "vnc sink " + label + ": input=true, but device " + device
                    + " takes no input (a view-only device); viewers' keys and pointer are dropped");
        }
    }

    /** The sink was detached: nothing goes to the old device any more. */
    void forget() {
        target = null;
    }

    /** Where a viewer's event goes now, or null to drop it. */
    InputTarget target() {
        return target;
    }
}
