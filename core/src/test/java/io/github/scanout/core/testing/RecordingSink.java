package io.github.scanout.core.testing;

import io.github.scanout.api.buffer.MemoryKind;
import io.github.scanout.api.buffer.PlaneBuffer;
import io.github.scanout.api.sink.CursorState;
import io.github.scanout.api.sink.Frame;
import io.github.scanout.api.sink.FrameSink;
import io.github.scanout.api.sink.SinkNeeds;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A sink that records what it gets (and checks the leases it is handed are open and readable),
 * and can be made slow, blocking or throwing.
 */
public final class RecordingSink implements FrameSink {

    /** One cursor update as received. */
    public record CursorEvent(boolean visible, int x, int y, boolean imageChanged, MemoryKind memory) {}

    private final SinkNeeds needs;
    public volatile long sleepMillis;
    public volatile boolean throwing;
    public volatile CountDownLatch gate;
    private final List<Long> sequences = new ArrayList<>();
    private final List<MemoryKind> memories = new ArrayList<>();
    private final List<Long> bufferIds = new ArrayList<>();
    private final List<CursorEvent> cursors = new ArrayList<>();
    private final List<CursorEvent> frameCursors = new ArrayList<>();
    private final List<String> noSignals = new ArrayList<>();
    private final List<String> events = new ArrayList<>();
    private final List<String> problems = new ArrayList<>();
    private int detached;
    private volatile String thread = "";

    public RecordingSink(SinkNeeds needs) {
        this.needs = needs;
    }

    /** A GPU-style sink: takes any buffer, any rate. */
    public static RecordingSink any() {
        return new RecordingSink(new SinkNeeds(false, false, java.util.Set.of(), 0));
    }

    public static RecordingSink withFps(double fps) {
        return new RecordingSink(new SinkNeeds(false, false, java.util.Set.of(), fps));
    }

    public static RecordingSink cpu() {
        return new RecordingSink(new SinkNeeds(true, false, java.util.Set.of(), 0));
    }

    @Override
    public SinkNeeds needs() {
        return needs;
    }

    @Override
    public void frame(Frame frame) throws Exception {
        thread = Thread.currentThread().getName();
        PlaneBuffer p = frame.primary();
        synchronized (this) {
            if (!p.isOpen()) {
                problems.add("frame " + frame.sequence() + " came with a closed lease");
            }
            if (needs.cpuPixels() && !p.cpuReadable()) {
                problems.add("frame " + frame.sequence() + " is not CPU-readable for a CPU sink");
            }
        }
        if (p.cpuReadable()) {
            p.pixels().getInt(0);
        }
        CountDownLatch g = gate;
        if (g != null) {
            g.await();
        }
        if (sleepMillis > 0) {
            Thread.sleep(sleepMillis);
        }
        CursorState c = frame.cursor();
        synchronized (this) {
            sequences.add(frame.sequence());
            memories.add(p.memory());
            bufferIds.add(p.info().bufferId());
            frameCursors.add(new CursorEvent(c.visible(), c.x(), c.y(), c.imageChanged(),
                    c.image().map(PlaneBuffer::memory).orElse(null)));
            events.add("frame " + frame.sequence());
            notifyAll();
        }
        if (throwing) {
            throw new IllegalStateException("this sink always fails");
        }
    }

    @Override
    public void cursor(CursorState cursor) {
        synchronized (this) {
            if (cursor.image().isPresent() && !cursor.image().get().isOpen()) {
                problems.add("cursor came with a closed lease");
            }
            cursors.add(new CursorEvent(cursor.visible(), cursor.x(), cursor.y(), cursor.imageChanged(),
                    cursor.image().map(PlaneBuffer::memory).orElse(null)));
            events.add("cursor " + cursor.x() + "," + cursor.y() + (cursor.imageChanged() ? " new image" : ""));
            notifyAll();
        }
    }

    @Override
    public void noSignal(String reason) {
        synchronized (this) {
            noSignals.add(reason);
            events.add("noSignal " + reason);
            notifyAll();
        }
    }

    @Override
    public synchronized void detached() {
        detached++;
        events.add("detached");
        notifyAll();
    }

    public synchronized List<Long> sequences() {
        return List.copyOf(sequences);
    }

    public synchronized int frames() {
        return sequences.size();
    }

    public synchronized List<MemoryKind> memories() {
        return List.copyOf(memories);
    }

    public synchronized List<Long> bufferIds() {
        return List.copyOf(bufferIds);
    }

    public synchronized List<CursorEvent> cursors() {
        return List.copyOf(cursors);
    }

    public synchronized List<CursorEvent> frameCursors() {
        return List.copyOf(frameCursors);
    }

    public synchronized List<String> noSignals() {
        return List.copyOf(noSignals);
    }

    public synchronized List<String> events() {
        return List.copyOf(events);
    }

    public synchronized List<String> problems() {
        return List.copyOf(problems);
    }

    public synchronized int detachedCalls() {
        return detached;
    }

    public String thread() {
        return thread;
    }

    /** Waits until at least {@code n} frames arrived. */
    public synchronized void awaitFrames(int n, Duration timeout) throws InterruptedException {
        awaitCount(() -> sequences.size(), n, timeout, "frames");
    }

    public synchronized void awaitNoSignals(int n, Duration timeout) throws InterruptedException {
        awaitCount(() -> noSignals.size(), n, timeout, "noSignal calls");
    }

    public synchronized void awaitCursors(int n, Duration timeout) throws InterruptedException {
        awaitCount(() -> cursors.size(), n, timeout, "cursor updates");
    }

    private void awaitCount(java.util.function.IntSupplier count, int n, Duration timeout, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (count.getAsInt() < n) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("expected " + n + " " + what + " within " + timeout.toMillis() + " ms, got "
                        + count.getAsInt() + "; events " + tail(events));
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }

    private static List<String> tail(List<String> l) {
        return new ArrayList<>(l.subList(Math.max(0, l.size() - 10), l.size()));
    }
}
