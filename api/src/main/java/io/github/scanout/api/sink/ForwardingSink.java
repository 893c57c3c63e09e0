package io.github.scanout.api.sink;

import java.util.Objects;

/**
 * A {@link FrameSink} that passes every call to the sink that does the work: the shape of a sink
 * type's Declarative Services component, which reads its configuration, builds that sink, hands it
 * to this constructor and overrides only what differs (usually nothing but its
 * {@code @Deactivate}). The one place a component lists every {@link FrameSink} method, so a
 * method added there is forwarded here once.
 *
 * <p>Threads: as the wrapped sink; {@link #delegate} is set once, in the constructor.
 *
 * @param <S> the wrapped sink, which also counts what it wrote
 */
public abstract class ForwardingSink<S extends FrameSink & CountsOutput> implements FrameSink, CountsOutput {
    /** The sink every call goes to unless overridden. */
    protected final S delegate;

    /** @param delegate the sink every call goes to unless overridden */
    protected ForwardingSink(S delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    @Override
    public SinkNeeds needs() {
        return delegate.needs();
    }

    @Override
    public void frame(Frame frame) throws Exception {
        delegate.frame(frame);
    }

    @Override
    public void cursor(CursorState cursor) throws Exception {
        delegate.cursor(cursor);
    }

    @Override
    public void noSignal(String reason) throws Exception {
        delegate.noSignal(reason);
    }

    @Override
    public void detached() {
        delegate.detached();
    }

    /** What the wrapped sink wrote, apart from what it received. */
    @Override
    public SinkOutput output() {
        return delegate.output();
    }
}
