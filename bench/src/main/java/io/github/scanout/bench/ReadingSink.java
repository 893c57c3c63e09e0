package io.github.scanout.bench;

import io.github.scanout.api.sink.Frame;
import io.github.scanout.api.sink.FrameSink;
import io.github.scanout.api.sink.SinkNeeds;
import java.nio.ByteBuffer;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A CPU sink that reads every byte of every frame it gets: it copies the frame out of its memory
 * in 64 KiB chunks into one reused array, as an encoder or a file writer would. It asks for CPU
 * pixels at the device's full rate and takes a live view (no consistency). Before reading a frame
 * it calls {@code onFrame} (the benchmark's guest draws its next change there, so the capture
 * thread can find the next frame while this one is read). {@link #awaitNext} hands frames to the
 * benchmark thread one by one.
 *
 * <p>Threads: {@link #frame} on the pipeline's sink thread; {@link #awaitNext} on one other thread.
 */
final class ReadingSink implements FrameSink {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    private final Runnable onFrame;
    private final byte[] chunk = new byte[64 * 1024];
    private long frames;
    private long consumed;
    private long bytes;
    volatile long checksum;

    ReadingSink(Runnable onFrame) {
        this.onFrame = onFrame;
    }

    @Override
    public SinkNeeds needs() {
        return new SinkNeeds(true, false, Set.of(), 0);
    }

    @Override
    public void frame(Frame frame) {
        onFrame.run();
        ByteBuffer px = frame.primary().pixels();
        int n = px.remaining();
        long sum = 0;
        while (px.hasRemaining()) {
            int len = Math.min(chunk.length, px.remaining());
            px.get(chunk, 0, len);
            sum += chunk[len - 1];
        }
        checksum = sum;
        lock.lock();
        try {
            frames++;
            bytes += n;
            arrived.signal();
        } finally {
            lock.unlock();
        }
    }

    /** Waits for the next frame not yet handed out (at most 10 s); returns its number. */
    long awaitNext() throws InterruptedException, TimeoutException {
        lock.lock();
        try {
            long left = TimeUnit.SECONDS.toNanos(10);
            while (frames <= consumed) {
                if (left <= 0) {
                    throw new TimeoutException("no frame in 10 s (" + frames + " so far)");
                }
                left = arrived.awaitNanos(left);
            }
            return ++consumed;
        } finally {
            lock.unlock();
        }
    }

    long frames() {
        lock.lock();
        try {
            return frames;
        } finally {
            lock.unlock();
        }
    }

    long bytes() {
        lock.lock();
        try {
            return bytes;
        } finally {
            lock.unlock();
        }
    }
}
