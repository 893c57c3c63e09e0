package io.github.scanout.source.qemudbus.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.github.scanout.api.support.ConditionLog;
import io.github.scanout.testsupport.FuzzBytes;
import io.github.scanout.testsupport.RecordingReporter;
import java.nio.ByteBuffer;
import org.freedesktop.dbus.types.UInt32;

/**
 * Fuzzes the checks on QEMU's Listener messages: a sequence of {@code Scanout}, {@code Update},
 * {@code Disable}, {@code MouseSet} and {@code CursorDefine} calls, with every argument from the
 * input, through {@link SurfaceListener} into a {@link ConsoleSurface} over 256 KiB whose
 * console size (asked when an Update does not fit the scanout) comes from the input too.
 *
 * <p>Input: per call a selector byte, then the call's arguments as u32s (signed for
 * {@code Update}'s x, y, width and height) and the data: a u16 length biased towards the
 * length the other arguments ask for (0: exactly that, else that plus or minus a few, or the
 * raw value), then that many bytes, as far as the input goes.
 *
 * <p>Contract: nothing escapes the listener (a refusal is a reported line); every reported line
 * is one line naming the message; the surface's plane, when there is one, fits the memory
 * (stride x height within 256 KiB, stride at least width x bytes per pixel); and the counts add
 * up: every message is either accepted or refused; a cursor, when there is one,
 * fits the cursor region with its hot spot inside it.
 */
class ListenerMessagesFuzzTest {

    static final int MEMORY = 256 * 1024;

    @FuzzTest(maxDuration = "30s")
    void messages(byte[] input) {
        FuzzBytes in = new FuzzBytes(input);
        // the console's size, asked when an Update does not fit, is QEMU's answer too
        ConsoleSurface surface = new ConsoleSurface(ByteBuffer.allocate(MEMORY), () -> new long[] {small(in), small(in)});
        RecordingReporter lines = new RecordingReporter();
        SurfaceListener listener = new SurfaceListener("fuzz", surface, ConditionLog.once(lines));
        long framed = 0;
        long disables = 0;
        for (int calls = 0; calls < 16 && in.hasMore(); calls++) {
            switch (in.u8() % 5) {
                case 0 -> { // u: dbus-java hands 0 to 2^32 - 1
                    long w = small(in) & 0xFFFF_FFFFL;
                    long h = small(in) & 0xFFFF_FFFFL;
                    long stride = small(in) & 0xFFFF_FFFFL;
                    long format = in.pick(0x20020888L, 0x10020565L, 0x18020888L, Integer.toUnsignedLong(in.u32()));
                    listener.Scanout(new UInt32(w), new UInt32(h), new UInt32(stride), new UInt32(format),
                        data(in, stride * h));
                    framed++;
                }
                case 1 -> {
                    int x = (int) small(in);
                    int y = (int) small(in);
                    int w = (int) small(in);
                    int h = (int) small(in);
                    long stride = small(in) & 0xFFFF_FFFFL;
                    long format = in.pick(0x20020888L, Integer.toUnsignedLong(in.u32()));
                    listener.Update(x, y, w, h, new UInt32(stride), new UInt32(format), data(in, stride * (long) h));
                    framed++;
                }
                case 2 -> {
                    listener.Disable();
                    disables++;
                }
                case 3 -> {
                    listener.MouseSet((int) small(in), (int) small(in), in.u32());
                    framed++;
                }
                default -> {
                    int w = (int) small(in);
                    int h = (int) small(in);
                    listener.CursorDefine(w, h, (int) small(in), (int) small(in), data(in, (long) w * h * 4));
                    framed++;
                }
            }
            ConsoleSurface.CursorPlane c = surface.cursor();
            if (c != null) {
                assertThat(c.size()).isLessThanOrEqualTo(ConsoleSurface.CURSOR_BYTES);
                assertThat(c.hotX()).isBetween(0, c.width() - 1);
                assertThat(c.hotY()).isBetween(0, c.height() - 1);
            }
            ConsoleSurface.Plane p = surface.plane();
            if (p != null) {
                assertThat(p.size()).isLessThanOrEqualTo(MEMORY);
                assertThat((long) p.stride()).isGreaterThanOrEqualTo((long) p.width() * p.format().bytesPerPixel());
            }
        }
        long[] counts = surface.counts();
        assertThat(counts[0] + counts[1]).isEqualTo(framed + disables);
        for (String line : lines.lines()) {
            assertThat(line).doesNotContain("\n").matches("WARNING fuzz: QEMU (Scanout|Update|CursorDefine|MouseSet) refused: .+");
        }
    }

    /** Mostly small values (so that messages get accepted), sometimes any u32 or a negative int. */
    static long small(FuzzBytes in) {
        return switch (in.u8() % 4) {
            case 0 -> in.u8();
            case 1 -> in.u16() % 2048;
            case 2 -> Integer.toUnsignedLong(in.u32());
            default -> in.u32(); // negative as an int
        };
    }

    /** Data of about the length the other arguments ask for, at most 64 KiB more than the input holds. */
    static byte[] data(FuzzBytes in, long asked) {
        int pick = in.u8() % 4;
        long n = switch (pick) {
            case 0 -> asked;
            case 1 -> asked + (in.u8() % 9) - 4;
            case 2 -> in.u16();
            default -> 0;
        };
        if (n < 0 || n > MEMORY + 16) {
            n = in.u16();
        }
        byte[] b = new byte[(int) n];
        byte[] given = in.bytes(Math.min((int) n, 64));
        System.arraycopy(given, 0, b, 0, given.length);
        return b;
    }
}
