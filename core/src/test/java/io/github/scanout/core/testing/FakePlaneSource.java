package io.github.scanout.core.testing;

import io.github.scanout.api.BufferType;
import io.github.scanout.api.DeviceException;
import io.github.scanout.api.PlaneType;
import io.github.scanout.api.buffer.PlaneBuffer;
import io.github.scanout.api.device.GfxDevice;
import io.github.scanout.api.source.PlaneSession;
import io.github.scanout.api.source.PlaneSource;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A plane source whose probe answer is scripted and whose sessions read a {@link FakeScreen}.
 * Records which thread called it, so tests can check that everything runs on the capture thread.
 */
public final class FakePlaneSource implements PlaneSource {

    private final BufferType type;
    private final int priority;
    private final FakeScreen screen;
    public volatile boolean probeAnswer = true;
    public volatile DeviceException probeError;
    public volatile DeviceException openError;
    public final AtomicInteger probes = new AtomicInteger();
    public final AtomicInteger opens = new AtomicInteger();
    public final AtomicInteger closes = new AtomicInteger();
    public final AtomicInteger openSessions = new AtomicInteger();
    public volatile String lastThread = "";

    public FakePlaneSource(BufferType type, int priority, FakeScreen screen) {
        this.type = type;
        this.priority = priority;
        this.screen = screen;
    }

    public FakeScreen screen() {
        return screen;
    }

    @Override
    public BufferType bufferType() {
        return type;
    }

    @Override
    public int priority() {
        return priority;
    }

    @Override
    public boolean probe(GfxDevice device) throws DeviceException {
        probes.incrementAndGet();
        lastThread = Thread.currentThread().getName();
        if (probeError != null) {
            throw probeError;
        }
        return probeAnswer;
    }

    @Override
    public PlaneSession open(GfxDevice device) throws DeviceException {
        lastThread = Thread.currentThread().getName();
        if (openError != null) {
            throw openError;
        }
        opens.incrementAndGet();
        openSessions.incrementAndGet();
        return new PlaneSession() {
            private boolean closed;

            @Override
            public Optional<PlaneBuffer> acquire(PlaneType plane, boolean consistent) throws DeviceException {
                lastThread = Thread.currentThread().getName();
                if (closed) {
                    throw new IllegalStateException("acquire on a closed session");
                }
                return acquire(plane, consistent, null);
            }

            @Override
            public Optional<PlaneBuffer> acquire(PlaneType plane, boolean consistent, PlaneBuffer held)
                    throws DeviceException {
                lastThread = Thread.currentThread().getName();
                if (closed) {
                    throw new IllegalStateException("acquire on a closed session");
                }
                return screen.acquire(plane, consistent, held);
            }

            @Override
            public void reset() {}

            @Override
            public void close() {
                if (!closed) {
                    closed = true;
                    closes.incrementAndGet();
                    openSessions.decrementAndGet();
                }
            }
        };
    }

    @Override
    public String toString() {
        return "FakePlaneSource[" + type + ", " + priority + "]";
    }
}
