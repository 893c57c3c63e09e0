package io.github.scanout.sink.vnc.internal;

import io.github.scanout.api.input.InputTarget;
import io.github.scanout.api.support.Reporter;
import java.util.Optional;

/**
 * A VNC sink's input path: whether its viewers may send input ({@code input=true}; view-only by
 * default) and where it goes (the device's {@link InputTarget}, handed over by the pipeline when
 * it attaches the sink). A viewer asks {@link #target()} for every event: null means drop it.
 *
 * <p>A sink service may be attached to a new pipeline of its device before the old one detaches
 * it (a device whose configuration changed gets a new pipeline, and the old one is closed after
 * the sinks are attached to the new one). So the gate counts attachments: the last target handed
 * over stays until every attachment has been detached.
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
    /** Attachments not yet detached; guarded by this. */
    private int attached;

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
        synchronized (this) {
            attached++;
        }
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

    /** The sink was detached from a pipeline: when it is attached to none any more, input goes nowhere. */
    synchronized void forget() {
        attached = Math.max(0, attached - 1);
        if (attached == 0) {
            target = null;
        }
    }

    /** Where a viewer's event goes now, or null to drop it. */
    InputTarget target() {
        return target;
    }
}
