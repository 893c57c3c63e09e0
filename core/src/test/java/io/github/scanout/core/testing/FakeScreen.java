package io.github.scanout.core.testing;

import io.github.scanout.api.BufferType;
import io.github.scanout.api.DeviceException;
import io.github.scanout.api.DrmFormat;
import io.github.scanout.api.Hotspot;
import io.github.scanout.api.Modifier;
import io.github.scanout.api.PlaneInfo;
import io.github.scanout.api.PlaneType;
import io.github.scanout.api.buffer.MemoryKind;
import io.github.scanout.api.buffer.PlaneBuffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What a fake plane source shows: the guest's screen and cursor, and the device's misbehaviour.
 * Tests change it from their thread while the capture thread acquires from it.
 *
 * <p>Primary buffers come as a live view of {@link #memory()} ({@link MemoryKind#LIVE_MAPPING}),
 * as a copy ({@link MemoryKind#SNAPSHOT}, always when {@code consistent} is asked) or, with
 * {@link #opaque(boolean)}, as a buffer the CPU cannot read ({@link MemoryKind#DMABUF_FD}).
 * Every buffer handed out is counted until its last lease closes ({@link #liveBuffers()}).
 */
public final class FakeScreen {

    private final BufferType type;
    private int width;
    private int height;
    private ByteBuffer memory;
    private long bufferId = 1;
    private boolean enabled = true;
    private boolean opaque;
    private boolean snapshotsOnly;
    private boolean newBufferEveryAcquire;
    private boolean cursorVisible;
    private int cursorX;
    private int cursorY;
    private long cursorId = 100;
    private int cursorColour = 0xffffffff;
    private final Deque<DeviceException> errors = new ArrayDeque<>();
    private DeviceException errorForever;
    private volatile CountDownLatch block;
    private final AtomicInteger liveBuffers = new AtomicInteger();
    private final AtomicInteger primaryAcquires = new AtomicInteger();
    private final AtomicInteger consistentAcquires = new AtomicInteger();
    private final AtomicInteger cursorAcquires = new AtomicInteger();
    private final AtomicInteger blockedCalls = new AtomicInteger();
    private final AtomicInteger heldOffered = new AtomicInteger();
    private final AtomicInteger heldAnswers = new AtomicInteger();

    public FakeScreen(BufferType type, int width, int height) {
        this.type = type;
        setMode(width, height);
    }

    /** A new mode: new memory (black), a new buffer id. */
    public synchronized void setMode(int w, int h) {
        width = w;
        height = h;
        memory = ByteBuffer.allocateDirect(w * h * 4).order(ByteOrder.LITTLE_ENDIAN);
        bufferId++;
        enabled = true;
    }

    public synchronized void disable() {
        enabled = false;
    }

    public synchronized void enable() {
        enabled = true;
    }

    /** The guest draws one pixel (in place: same buffer id). */
    public synchronized void setPixel(int x, int y, int argb) {
        memory.putInt((y * width + x) * 4, argb);
    }

    public synchronized void fill(int argb) {
        for (int i = 0; i < width * height; i++) {
            memory.putInt(i * 4, argb);
        }
    }

    /** The guest flips to another buffer (a new identity). */
    public synchronized void flip() {
        bufferId++;
    }

    /** Every primary acquire answers a new buffer id (frames flow at the poll rate). */
    public synchronized void newBufferEveryAcquire(boolean on) {
        newBufferEveryAcquire = on;
    }

    /** Primary buffers the CPU cannot read (a dma-buf whose producer refuses mmap). */
    public synchronized void opaque(boolean on) {
        opaque = on;
    }

    /** Primary buffers are snapshots even when a live view would do. */
    public synchronized void snapshotsOnly(boolean on) {
        snapshotsOnly = on;
    }

    public synchronized void showCursor(int x, int y) {
        cursorVisible = true;
        cursorX = x;
        cursorY = y;
    }

    public synchronized void hideCursor() {
        cursorVisible = false;
    }

    /** A new cursor image (a new id and colour). */
    public synchronized void newCursorImage(int argb) {
        cursorId++;
        cursorColour = argb;
    }

    /** The next acquires fail with these, in order. */
    public synchronized void failNext(DeviceException... e) {
        for (DeviceException x : e) {
            errors.add(x);
        }
    }

    /** Every acquire fails with this (null: stop). */
    public synchronized void failForever(DeviceException e) {
        errorForever = e;
    }

    /** Acquires block until {@link #unblock()}. */
    public void block() {
        block = new CountDownLatch(1);
    }

    public void unblock() {
        CountDownLatch b = block;
        block = null;
        if (b != null) {
            b.countDown();
        }
    }

    public int blockedCalls() {
        return blockedCalls.get();
    }

    public int liveBuffers() {
        return liveBuffers.get();
    }

    /** {@return how many polls passed a held lease} */
    public int heldOffered() {
        return heldOffered.get();
    }

    /** {@return how many polls were answered with the held lease itself (no new buffer)} */
    public int heldAnswers() {
        return heldAnswers.get();
    }

    public int primaryAcquires() {
        return primaryAcquires.get();
    }

    public int consistentAcquires() {
        return consistentAcquires.get();
    }

    public int cursorAcquires() {
        return cursorAcquires.get();
    }

    public synchronized long bufferId() {
        return bufferId;
    }

    Optional<PlaneBuffer> acquire(PlaneType plane, boolean consistent) throws DeviceException {
        return acquire(plane, consistent, null);
    }

    /**
     * As a session answers with a held lease: an unchanged opaque primary plane is answered with
     * {@code held} itself (counted in {@link #heldAnswers()}); every non-null {@code held} is
     * counted in {@link #heldOffered()}.
     */
    Optional<PlaneBuffer> acquire(PlaneType plane, boolean consistent, PlaneBuffer held) throws DeviceException {
        if (held != null) {
            heldOffered.incrementAndGet();
        }
        CountDownLatch b = block;
        if (b != null) {
            blockedCalls.incrementAndGet();
            try {
                b.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DeviceException("interrupted");
            }
        }
        synchronized (this) {
            if (plane == PlaneType.CURSOR) {
                cursorAcquires.incrementAndGet();
            } else {
                primaryAcquires.incrementAndGet();
                if (consistent) {
                    consistentAcquires.incrementAndGet();
                }
            }
            DeviceException e = errors.poll();
            if (e != null) {
                throw e;
            }
            if (errorForever != null) {
                throw errorForever;
            }
            if (plane == PlaneType.PRIMARY && opaque && enabled && !newBufferEveryAcquire && held != null
                    && held.isOpen() && held.info().bufferId() == bufferId && held.info().width() == width
                    && held.info().height() == height) {
                heldAnswers.incrementAndGet();
                return Optional.of(held);
            }
            return plane == PlaneType.CURSOR ? cursor() : primary(consistent);
        }
    }

    private Optional<PlaneBuffer> primary(boolean consistent) {
        if (!enabled) {
            return Optional.empty();
        }
        if (newBufferEveryAcquire) {
            bufferId++;
        }
        PlaneInfo info = new PlaneInfo(PlaneType.PRIMARY, type, DrmFormat.XRGB8888, Modifier.LINEAR, width, height,
                width * 4, (long) width * height * 4, 0, 0, Optional.empty(), bufferId);
        liveBuffers.incrementAndGet();
        AutoCloseable release = liveBuffers::decrementAndGet;
        if (opaque) {
            return Optional.of(PlaneBuffer.create(info, MemoryKind.DMABUF_FD, null, null, release));
        }
        if (consistent || snapshotsOnly) {
            ByteBuffer copy = ByteBuffer.allocate(memory.capacity()).order(ByteOrder.LITTLE_ENDIAN);
            copy.put(memory.duplicate().clear());
            copy.flip();
            return Optional.of(PlaneBuffer.create(info, MemoryKind.SNAPSHOT, copy, null, release));
        }
        return Optional.of(PlaneBuffer.create(info, MemoryKind.LIVE_MAPPING, memory.duplicate().clear(), null, release));
    }

    private Optional<PlaneBuffer> cursor() {
        if (!cursorVisible) {
            return Optional.empty();
        }
        PlaneInfo info = new PlaneInfo(PlaneType.CURSOR, type, DrmFormat.ARGB8888, Modifier.LINEAR, 64, 64, 256,
                64 * 256, cursorX, cursorY, Optional.of(new Hotspot(1, 1)), cursorId);
        ByteBuffer px = ByteBuffer.allocate(64 * 256).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 64 * 64; i++) {
            px.putInt(i * 4, cursorColour);
        }
        liveBuffers.incrementAndGet();
        return Optional.of(PlaneBuffer.create(info, MemoryKind.SNAPSHOT, px, null, liveBuffers::decrementAndGet));
    }
}
