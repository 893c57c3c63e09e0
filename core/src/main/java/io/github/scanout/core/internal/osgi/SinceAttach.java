package io.github.scanout.core.internal.osgi;

import io.github.scanout.api.input.InputForwarder;
import io.github.scanout.api.input.InputTarget;
import io.github.scanout.api.sink.CountsOutput;
import io.github.scanout.api.sink.FrameSink;
import io.github.scanout.api.sink.ForwardingSink;
import io.github.scanout.api.sink.SinkOutput;
import java.util.Optional;

/**
 * A sink service as one pipeline sees it: what it wrote counted from the moment it was attached
 * to that pipeline, as the pipeline counts what it delivered. A sink service outlives the
 * pipelines of its device (a device whose configuration changes, or that is removed and
 * configured again, gets a new pipeline, and the same sink is attached to it); without this its
 * {@code written} kept the earlier pipelines' frames while {@code received} started again from 0,
 * so a sink reported more written than received (found by the distribution soak).
 *
 * <p>It passes the device's input target on to a sink that forwards input
 * ({@link InputForwarder}); to another sink it means nothing.
 *
 * <p>Threads: as the wrapped sink; the baseline is read once, at attach.
 */
final class SinceAttach<S extends FrameSink & CountsOutput> extends ForwardingSink<S> implements InputForwarder {
    private final SinkOutput base;

    private SinceAttach(S delegate) {
        super(delegate);
        SinkOutput o;
        try {
            o = delegate.output();
        } catch (RuntimeException e) {
            o = null;
        }
        this.base = o == null ? SinkOutput.NONE : o;
    }

    /** The sink to attach: counted from now when it counts its output, else itself. */
    static FrameSink of(FrameSink sink) {
        return sink instanceof CountsOutput ? wrap((FrameSink & CountsOutput) sink) : sink;
    }

    private static <S extends FrameSink & CountsOutput> FrameSink wrap(S sink) {
        return new SinceAttach<>(sink);
    }

    @Override
    public void inputTarget(Optional<InputTarget> target) {
        if (delegate instanceof InputForwarder f) {
            f.inputTarget(target);
        }
    }

    @Override
    public SinkOutput output() {
        SinkOutput now = delegate.output();
        if (now == null) {
            return null;
        }
        return new SinkOutput(Math.max(0, now.frames() - base.frames()), Math.max(0, now.bytes() - base.bytes()),
                now.lastError(), now.clients());
    }
}
