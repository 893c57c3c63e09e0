package io.github.scanout.api.input;

import java.util.Optional;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Implemented by a sink ({@link io.github.scanout.api.sink.FrameSink}) whose viewers can send
 * input: the pipeline hands it the {@link InputTarget} of its device when it attaches it. The sink
 * decides whether to forward anything (Scanout's VNC sink only with {@code input=true}).
 *
 * <p>Threads: called on the thread that attaches the sink, before the sink gets its first frame;
 * called again (with the new device's target) when a sink service is attached to a new pipeline
 * of its device, which may happen before the old pipeline detaches it. The sink keeps the target
 * it was handed last and forgets it once it is detached from every pipeline it was attached to.
 */
@ConsumerType
public interface InputForwarder {

    /**
     * The device's input target. Threads: the attaching thread (see above); must not block.
     *
     * @param target where input for the device goes; empty for a view-only device (one that takes
     *     no input, such as a mediated vGPU, whose input reaches the guest through the VM's own
     *     devices)
     */
    void inputTarget(Optional<InputTarget> target);
}
