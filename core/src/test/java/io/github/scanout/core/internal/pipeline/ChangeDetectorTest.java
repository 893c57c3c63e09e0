package io.github.scanout.core.internal.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.scanout.api.BufferType;
import io.github.scanout.api.DrmFormat;
import io.github.scanout.api.Modifier;
import io.github.scanout.api.PlaneInfo;
import io.github.scanout.api.PlaneType;
import io.github.scanout.api.buffer.MemoryKind;
import io.github.scanout.api.buffer.PlaneBuffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ChangeDetectorTest {

    static PlaneInfo info(long id, int w, int h, Modifier modifier, int stride) {
        long size = PlaneInfo.requiredBytes(DrmFormat.XRGB8888, modifier, w, h, stride);
        return new PlaneInfo(PlaneType.PRIMARY, BufferType.REGION, DrmFormat.XRGB8888, modifier, w, h, stride, size, 0, 0,
                Optional.empty(), id);
    }

    static PlaneBuffer live(PlaneInfo info, ByteBuffer memory) {
        return PlaneBuffer.create(info, MemoryKind.LIVE_MAPPING, memory.duplicate().clear(), null, null);
    }

    static ByteBuffer memory(PlaneInfo info) {
        return ByteBuffer.allocateDirect(Math.toIntExact(info.requiredBytes())).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    void identityDecidesForBuffersTheCpuCannotRead() {
        ChangeDetector d = new ChangeDetector();
        PlaneInfo a = info(1, 64, 64, Modifier.LINEAR, 256);
        try (PlaneBuffer b = PlaneBuffer.create(a, MemoryKind.DMABUF_FD, null, null, null)) {
            assertThat(d.changed(b, 1)).as("first look").isTrue();
            d.baseline(b);
            assertThat(d.changed(b, 1)).isFalse();
        }
        try (PlaneBuffer other = PlaneBuffer.create(info(2, 64, 64, Modifier.LINEAR, 256), MemoryKind.DMABUF_FD, null,
                null, null)) {
            assertThat(d.changed(other, 1)).isTrue();
        }
        // same id, other layout (GVT-g reuses ids): a change
        try (PlaneBuffer resized = PlaneBuffer.create(info(1, 32, 64, Modifier.LINEAR, 256), MemoryKind.DMABUF_FD, null,
                null, null)) {
            assertThat(d.changed(resized, 1)).isTrue();
        }
    }

    @Test
    void aSinglePixelAnywhereIsSeenWithinOneCycleOfPhasesAndNeverTwice() {
        PlaneInfo info = info(16, 1024, 768, Modifier.LINEAR, 4096);
        ByteBuffer mem = memory(info);
        ChangeDetector d = new ChangeDetector();
        try (PlaneBuffer b = live(info, mem)) {
            d.baseline(b);
            for (int tick = 0; tick < 3 * ChangeDetector.PHASES; tick++) {
                assertThat(d.changed(b, 1)).as("nothing changed, tick " + tick).isFalse();
            }
            int[][] pixels = {{0, 0}, {1023, 767}, {517, 389}, {1, 766}, {1000, 3}};
            for (int[] px : pixels) {
                mem.putInt(px[1] * 4096 + px[0] * 4, mem.getInt(px[1] * 4096 + px[0] * 4) + 1);
                int ticks = 0;
                while (!d.changed(b, 1)) {
                    ticks++;
                    assertThat(ticks).as("pixel " + Arrays.toString(px) + " seen within " + ChangeDetector.PHASES
                            + " ticks").isLessThan(ChangeDetector.PHASES);
                }
                d.baseline(b);
                assertThat(d.changed(b, ChangeDetector.PHASES)).as("after the baseline, no change").isFalse();
            }
        }
    }

    @Test
    void aChangeEightRowsTallIsSeenOnTheNextTick() {
        PlaneInfo info = info(16, 640, 480, Modifier.LINEAR, 2560);
        ByteBuffer mem = memory(info);
        ChangeDetector d = new ChangeDetector();
        try (PlaneBuffer b = live(info, mem)) {
            d.baseline(b);
            for (int trial = 0; trial < 20; trial++) {
                int x = (trial * 37) % 630;
                int y = (trial * 53) % 470;
                for (int row = y; row < y + 8; row++) {
                    mem.putInt(row * 2560 + x * 4, 0xff000000 | trial * 1000 + row);
                }
                assertThat(d.changed(b, 1)).as("trial " + trial).isTrue();
                d.baseline(b);
            }
        }
    }

    @Test
    void tiledBuffersAreWalkedByTileRowsAndOddRowLengthsIncludeTheirTail() {
        PlaneInfo tiled = info(3, 100, 50, Modifier.I915_X_TILED, 512);
        ByteBuffer mem = memory(tiled);
        ChangeDetector d = new ChangeDetector();
        try (PlaneBuffer b = live(tiled, mem)) {
            d.baseline(b);
            mem.put(Math.toIntExact(tiled.requiredBytes()) - 1, (byte) 7);
            assertThat(d.changed(b, ChangeDetector.PHASES)).isTrue();
        }
        PlaneInfo odd = info(4, 3, 2, Modifier.LINEAR, 12);
        ByteBuffer m2 = memory(odd);
        try (PlaneBuffer b = live(odd, m2)) {
            d.baseline(b);
            m2.put(Math.toIntExact(odd.requiredBytes()) - 1, (byte) 1);
            assertThat(d.changed(b, ChangeDetector.PHASES)).isTrue();
        }
    }

    @Test
    void aSnapshotOfTheSameContentIsNoChangeAndResetForgets() {
        PlaneInfo info = info(16, 64, 64, Modifier.LINEAR, 256);
        ByteBuffer mem = memory(info);
        mem.putInt(100, 42);
        ChangeDetector d = new ChangeDetector();
        ByteBuffer copy = ByteBuffer.allocate(mem.capacity());
        copy.put(mem.duplicate().clear()).flip();
        try (PlaneBuffer snap = PlaneBuffer.create(info, MemoryKind.SNAPSHOT, copy, null, null);
                PlaneBuffer b = live(info, mem)) {
            d.baseline(snap);
            assertThat(d.changed(b, ChangeDetector.PHASES)).isFalse();
            d.reset();
            assertThat(d.changed(b, 1)).isTrue();
        }
    }

    /**
     * The cost of one tick's check against a frame copy, at 1080p. Reported, and checked loosely
     * (a tick reads and hashes an eighth of the frame; a copy reads and writes all of it, with
     * memcpy).
     */
    @Test
    void aTicksCheckCostsAFractionOfACopy() {
        PlaneInfo info = info(16, 1920, 1080, Modifier.LINEAR, 7680);
        ByteBuffer mem = memory(info);
        for (int i = 0; i < mem.capacity(); i += 4) {
            mem.putInt(i, i * 31);
        }
        ByteBuffer dst = ByteBuffer.allocateDirect(mem.capacity());
        ChangeDetector d = new ChangeDetector();
        try (PlaneBuffer b = live(info, mem)) {
            d.baseline(b);
            long[] check = new long[200];
            long[] copy = new long[200];
            long[] full = new long[50];
            for (int round = 0; round < 3; round++) {
                for (int i = 0; i < check.length; i++) {
                    long t0 = System.nanoTime();
                    boolean changed = d.changed(b, 1);
                    check[i] = System.nanoTime() - t0;
                    assertThat(changed).isFalse();
                }
                for (int i = 0; i < copy.length; i++) {
                    long t0 = System.nanoTime();
                    dst.clear();
                    dst.put(mem.duplicate().clear());
                    copy[i] = System.nanoTime() - t0;
                }
                for (int i = 0; i < full.length; i++) {
                    long t0 = System.nanoTime();
                    d.baseline(b);
                    full[i] = System.nanoTime() - t0;
                }
            }
            long checkMedian = median(check);
            long copyMedian = median(copy);
            System.err.printf("1920x1080 XRGB8888: change check per tick (1 of %d phases) median %d us, full baseline"
                    + " hash %d us, frame copy %d us%n", ChangeDetector.PHASES, checkMedian / 1000, median(full) / 1000,
                    copyMedian / 1000);
            assertThat(checkMedian).isLessThan(copyMedian);
        }
    }

    private static long median(long[] v) {
        long[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
