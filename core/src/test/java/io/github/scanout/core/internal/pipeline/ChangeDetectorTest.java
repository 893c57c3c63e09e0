package io.github.scanout.core.internal.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.scanout.api.BufferType;
import io.github.scanout.api.Damage;
import io.github.scanout.api.DrmFormat;
import io.github.scanout.api.Modifier;
import io.github.scanout.api.PlaneInfo;
import io.github.scanout.api.PlaneType;
import io.github.scanout.api.buffer.MemoryKind;
import io.github.scanout.api.buffer.PlaneBuffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The one-pass change check: every change of any size is seen by the next look, and only once. */
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
            assertThat(d.update(b)).as("first look").isTrue();
            assertThat(d.update(b)).isFalse();
        }
        try (PlaneBuffer other = PlaneBuffer.create(info(2, 64, 64, Modifier.LINEAR, 256), MemoryKind.DMABUF_FD, null,
                null, null)) {
            assertThat(d.update(other)).isTrue();
        }
        // same id, other layout (GVT-g reuses ids): a change
        try (PlaneBuffer resized = PlaneBuffer.create(info(2, 32, 64, Modifier.LINEAR, 256), MemoryKind.DMABUF_FD, null,
                null, null)) {
            assertThat(d.update(resized)).isTrue();
        }
    }

    @Test
    void knownDamageIsTrustedAndDropsTheHashesKept() {
        PlaneInfo info = info(5, 64, 64, Modifier.LINEAR, 256);
        ByteBuffer mem = memory(info);
        ChangeDetector d = new ChangeDetector();
        try (PlaneBuffer b = live(info, mem)) {
            assertThat(d.update(b, Damage.UNKNOWN)).as("first look, hashed").isTrue();
            assertThat(d.update(b, Damage.UNKNOWN)).as("unknown damage: hashed, unchanged").isFalse();
            paint(mem, info.stride(), 0, 0, 8, 8, 1);
            assertThat(d.update(b, Damage.NONE)).as("the device said nothing changed: believed").isFalse();
            assertThat(d.update(b, Damage.of(8, 8, 1, 1))).as("the device said something changed: believed").isTrue();
            assertThat(d.update(b, Damage.UNKNOWN)).as("back to hashing: no baseline kept, a change").isTrue();
            assertThat(d.update(b, Damage.UNKNOWN)).isFalse();
        }
        try (PlaneBuffer other = live(info(6, 64, 64, Modifier.LINEAR, 256), mem)) {
            assertThat(d.update(other, Damage.NONE)).as("another buffer is a change whatever the damage").isTrue();
            assertThat(d.update(other, Damage.NONE)).isFalse();
        }
    }

    /** Changes a w x h block at (x, y) to values never seen there before. */
    private static void paint(ByteBuffer mem, int stride, int x, int y, int w, int h, int stamp) {
        for (int row = y; row < y + h; row++) {
            for (int col = x; col < x + w; col++) {
                int at = row * stride + col * 4;
                mem.putInt(at, mem.getInt(at) + stamp);
            }
        }
    }

    private static void everyChangeIsSeenOnceByTheNextLook(int w, int h, int trials) {
        PlaneInfo info = info(16, 1920, 1080, Modifier.LINEAR, 1920 * 4 + 64);
        ByteBuffer mem = memory(info);
        ChangeDetector d = new ChangeDetector();
        Random random = new Random(w * 31L + h);
        try (PlaneBuffer b = live(info, mem)) {
            assertThat(d.update(b)).as("first look").isTrue();
            assertThat(d.update(b)).as("nothing changed").isFalse();
            for (int trial = 1; trial <= trials; trial++) {
                int x = random.nextInt(1920 - w + 1);
                int y = random.nextInt(1080 - h + 1);
                paint(mem, info.stride(), x, y, w, h, trial);
                assertThat(d.update(b)).as("%dx%d change at %d,%d (trial %d)", w, h, x, y, trial).isTrue();
                assertThat(d.update(b)).as("the same change again").isFalse();
            }
        }
    }

    @Test
    void aFullFrameChangeIsSeenByTheNextLook() {
        everyChangeIsSeenOnceByTheNextLook(1920, 1080, 5);
    }

    @Test
    void aCharacterSizedBlockAnywhereIsSeenByTheNextLook() {
        everyChangeIsSeenOnceByTheNextLook(8, 16, 300);
    }

    @Test
    void aOneRowSixteenPixelChangeAnywhereIsSeenByTheNextLook() {
        everyChangeIsSeenOnceByTheNextLook(16, 1, 300);
    }

    @Test
    void aSinglePixelInTheLastRowAndTheFirstIsSeen() {
        everyChangeIsSeenOnceByTheNextLook(1, 1, 100);
    }

    @Test
    void aNewLeaseOfTheSameBufferIsReadThroughAndAnotherBufferOfTheSamePlaneIsReadFromItsOwnMemory() {
        PlaneInfo info = info(6, 64, 32, Modifier.LINEAR, 256);
        ByteBuffer mem = memory(info);
        ByteBuffer otherMem = memory(info);
        ChangeDetector d = new ChangeDetector();
        PlaneBuffer first = live(info, mem);
        d.update(first);
        PlaneBuffer second = first.retain();
        first.close();
        paint(mem, 256, 10, 20, 1, 1, 42);
        assertThat(d.update(second)).as("a change seen through another lease of the buffer").isTrue();
        assertThat(d.update(second)).isFalse();
        // same plane (the same info object), other memory: a pooled snapshot, say
        paint(otherMem, 256, 10, 20, 1, 1, 42);
        paint(otherMem, 256, 63, 31, 1, 1, 7);
        try (PlaneBuffer other = live(info, otherMem)) {
            assertThat(d.update(other)).as("another buffer is read from its own memory").isTrue();
        }
        second.close();
    }

    @Test
    void paddingBetweenRowsIsNotAChange() {
        PlaneInfo info = info(5, 100, 40, Modifier.LINEAR, 512);
        ByteBuffer mem = memory(info);
        ChangeDetector d = new ChangeDetector();
        try (PlaneBuffer b = live(info, mem)) {
            d.update(b);
            mem.put(3 * 512 + 400 + 7, (byte) 9);
            assertThat(d.update(b)).as("a byte past the row's pixels").isFalse();
            mem.put(3 * 512 + 399, (byte) 9);
            assertThat(d.update(b)).as("the row's last pixel byte").isTrue();
        }
    }

    @Test
    void tiledBuffersAreWalkedByTileRowsAndOddRowLengthsIncludeTheirTail() {
        PlaneInfo tiled = info(3, 100, 50, Modifier.I915_X_TILED, 512);
        ByteBuffer mem = memory(tiled);
        ChangeDetector d = new ChangeDetector();
        try (PlaneBuffer b = live(tiled, mem)) {
            d.update(b);
            mem.put(Math.toIntExact(tiled.requiredBytes()) - 1, (byte) 7);
            assertThat(d.update(b)).isTrue();
        }
        PlaneInfo odd = info(4, 3, 2, Modifier.LINEAR, 12);
        ByteBuffer m2 = memory(odd);
        try (PlaneBuffer b = live(odd, m2)) {
            d.update(b);
            m2.put(Math.toIntExact(odd.requiredBytes()) - 1, (byte) 1);
            assertThat(d.update(b)).isTrue();
        }
    }

    @Test
    void aSnapshotOfTheSameContentIsNoChangeAndResetForgets() {
        PlaneInfo info = info(16, 64, 64, Modifier.LINEAR, 256);
        ByteBuffer mem = memory(info);
        mem.putInt(100, 0x12345678);
        ByteBuffer copy = memory(info);
        copy.put(mem.duplicate().clear());
        ChangeDetector d = new ChangeDetector();
        try (PlaneBuffer b = live(info, mem);
                PlaneBuffer snap = PlaneBuffer.create(info, MemoryKind.SNAPSHOT, copy.clear(), null, null)) {
            d.update(b);
            assertThat(d.update(snap)).as("same identity, same bytes").isFalse();
            d.reset();
            assertThat(d.update(b)).as("after a reset").isTrue();
        }
    }
}
