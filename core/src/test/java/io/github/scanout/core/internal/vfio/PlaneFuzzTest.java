package io.github.scanout.core.internal.vfio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.github.scanout.api.BufferType;
import io.github.scanout.api.DrmFormat;
import io.github.scanout.api.InvalidPlaneException;
import io.github.scanout.api.Modifier;
import io.github.scanout.api.PlaneInfo;
import io.github.scanout.api.PlaneType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * 100,000 seeded random plane structs, biased towards boundary values, through decode and
 * validate: the only outcomes allowed are an Optional or an InvalidPlaneException, and every
 * accepted plane must satisfy the layout invariants.
 */
class PlaneFuzzTest {

    static final int SAMPLES = 100_000;
    static final long SEED = 0x5CA4_0017L;

    private static final long[] BOUNDARY = buildBoundary();

    private static long[] buildBoundary() {
        List<Long> v = new ArrayList<>(List.of(0L, 1L, 2L, 3L, 63L, 64L, 255L, 256L, 257L, 4095L, 4096L, 16383L, 16384L,
                16385L, (1L << 20) - 1, 1L << 20, (1L << 20) + 1, 0x7FFF_FFFFL, 0x8000_0000L, 0x8000_0001L, 0xFFFF_FFFEL,
                0xFFFF_FFFFL));
        for (int i = 0; i < 32; i++) {
            v.add(1L << i);
        }
        return v.stream().mapToLong(Long::longValue).toArray();
    }

    private static long u32(Random r) {
        int pick = r.nextInt(10);
        if (pick < 6) {
            return BOUNDARY[r.nextInt(BOUNDARY.length)];
        }
        if (pick < 8) {
            return r.nextInt(20000);
        }
        return r.nextLong() & 0xFFFF_FFFFL;
    }

    private static long format(Random r) {
        List<DrmFormat> known = List.copyOf(DrmFormat.known());
        int pick = r.nextInt(10);
        if (pick < 7) {
            return Integer.toUnsignedLong(known.get(r.nextInt(known.size())).fourcc());
        }
        return pick == 7 ? 0 : u32(r);
    }

    private static long modifier(Random r) {
        long[] mods = {0, 0, 0, Modifier.I915_X_TILED.value(), Modifier.I915_Y_TILED.value(), Modifier.I915_YF_TILED.value(),
                Modifier.INVALID.value(), -1L, 0x0200_0000_0000_0001L, r.nextLong()};
        return mods[r.nextInt(mods.length)];
    }

    /** A plane that is usually close to valid, so accepted planes are common enough to check. */
    private static RawPlaneInfo nearValid(Random r, BufferType type, PlaneType plane) {
        long w = 1 + r.nextInt(plane == PlaneType.CURSOR ? 256 : 4096);
        long h = 1 + r.nextInt(plane == PlaneType.CURSOR ? 256 : 4096);
        long stride = w * 4 + 64L * r.nextInt(4);
        long size = stride * h;
        long hot = r.nextBoolean() ? 0xFFFF_FFFFL : 0;
        RawPlaneInfo p = new RawPlaneInfo(64, type.flag(), plane.drmValue(), DrmFormat.XRGB8888.fourcc(), 0, w, h, stride, size,
                u32(r), u32(r), hot, hot, u32(r));
        // mutate one or two fields towards a boundary
        long[] f = {p.argsz(), p.flags(), p.drmPlaneType(), p.drmFormat(), p.drmFormatMod(), p.width(), p.height(), p.stride(),
                p.size(), p.xPos(), p.yPos(), p.xHot(), p.yHot(), p.bufferId()};
        int mutations = r.nextInt(3);
        for (int i = 0; i < mutations; i++) {
            int field = 3 + r.nextInt(11);
            f[field] = field == 3 ? format(r) : field == 4 ? modifier(r) : u32(r);
        }
        return new RawPlaneInfo(f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9], f[10], f[11], f[12], f[13]);
    }

    private static RawPlaneInfo random(Random r, BufferType type, PlaneType plane) {
        long flags = r.nextInt(8) == 0 ? u32(r) : type.flag();
        long planeType = r.nextInt(8) == 0 ? u32(r) : plane.drmValue();
        return new RawPlaneInfo(u32(r), flags, planeType, format(r), modifier(r), u32(r), u32(r), u32(r), u32(r), u32(r), u32(r),
                u32(r), u32(r), u32(r));
    }

    @Test
    void randomPlanesGiveOnlyOptionalsOrInvalidPlaneExceptions() {
        Random r = new Random(SEED);
        int accepted = 0;
        int disabled = 0;
        int rejected = 0;
        for (int i = 0; i < SAMPLES; i++) {
            BufferType type = r.nextBoolean() ? BufferType.DMABUF : BufferType.REGION;
            PlaneType plane = r.nextBoolean() ? PlaneType.PRIMARY : PlaneType.CURSOR;
            RawPlaneInfo raw = r.nextInt(3) == 0 ? nearValid(r, type, plane) : random(r, type, plane);

            // through the bytes, with garbage in the reserved word
            ByteBuffer bytes = GfxPlaneInfoCodec.encode(raw);
            bytes.order(ByteOrder.LITTLE_ENDIAN).putInt(GfxPlaneInfoCodec.RESERVED, r.nextInt());
            RawPlaneInfo decoded = GfxPlaneInfoCodec.decode(bytes);
            assertThat(decoded).isEqualTo(raw);

            try {
                Optional<PlaneInfo> p = PlaneValidator.validate(decoded, type, plane, "fuzz");
                if (p.isEmpty()) {
                    disabled++;
                } else {
                    accepted++;
                    checkInvariants(p.get(), raw, plane);
                }
            } catch (InvalidPlaneException e) {
                rejected++;
                assertThat(e.field()).isNotBlank();
                assertThat(e.getMessage()).contains(e.field() + " = ");
            } catch (Throwable t) {
                fail("sample " + i + " (" + raw + ") threw " + t, t);
            }
        }
        assertThat(accepted).as("accepted").isGreaterThan(1000);
        assertThat(disabled).as("disabled").isGreaterThan(1000);
        assertThat(rejected).as("rejected").isGreaterThan(1000);
    }

    private static void checkInvariants(PlaneInfo p, RawPlaneInfo raw, PlaneType plane) {
        assertThat(p.format().isKnown()).isTrue();
        assertThat(p.format()).isNotEqualTo(DrmFormat.C8);
        assertThat(p.modifier().isLinear() || p.modifier().isKnownTiling()).isTrue();
        assertThat(p.width()).isBetween(1, 16384);
        assertThat(p.height()).isBetween(1, 16384);
        if (plane == PlaneType.CURSOR) {
            assertThat(p.width()).isLessThanOrEqualTo(256);
            assertThat(p.height()).isLessThanOrEqualTo(256);
            p.hotspot().ifPresent(h -> {
                assertThat(h.x()).isBetween(0, p.width() - 1);
                assertThat(h.y()).isBetween(0, p.height() - 1);
            });
        }
        assertThat((long) p.stride()).isBetween(p.rowBytes(), 1L << 20);
        assertThat(p.requiredBytes()).isLessThanOrEqualTo(p.size());
        assertThat(p.size()).isEqualTo(raw.size());
    }
}
