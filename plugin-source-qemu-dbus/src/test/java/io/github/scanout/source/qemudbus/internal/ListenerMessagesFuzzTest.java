package io.github.scanout.source.qemudbus.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.github.scanout.api.support.ConditionLog;
import io.github.scanout.testsupport.FuzzBytes;
import io.github.scanout.testsupport.RecordingReporter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import org.freedesktop.dbus.FileDescriptor;
import org.freedesktop.dbus.types.UInt32;
import org.freedesktop.dbus.types.UInt64;

/**
 * Fuzzes the checks on QEMU's Listener messages: a sequence of {@code Scanout}, {@code Update},
 * {@code Disable}, {@code MouseSet}, {@code CursorDefine}, {@code ScanoutDMABUF} and
 * {@code UpdateDMABUF} calls, with every argument from the input, through
 * {@link SurfaceListener} into a {@link ConsoleSurface} over 256 KiB whose console size (asked
 * when an Update does not fit the scanout) comes from the input too. The fds of
 * {@code ScanoutDMABUF} are fake ({@link FakeFds}): numbers whose kind (dma-buf, memfd, socket,
 * not open) and size come from the input, and whose closes are counted.
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
 * fits the cursor region with its hot spot inside it; a dma-buf plane, when there is one, has a
 * known format, a stride at least width x bytes per pixel and a layout within its fd's size;
 * the surface never closes a received fd (they stay the connection's), holds at most one dup of
 * one, closes every dup it made exactly once, and none is open after {@code close}.
 *
 * <p>Selectors 0 to 249 pick the first five messages as before (selector mod 5), so the corpus
 * kept its meaning; 250 to 252 are {@code ScanoutDMABUF}, 253 and 254 {@code UpdateDMABUF}, and 255
 * reads one more byte: even for {@code ScanoutMap}, odd for {@code UpdateMap} (QEMU 8's shared
 * memory).
 */
class ListenerMessagesFuzzTest {

    static final int MEMORY = 256 * 1024;

    @FuzzTest(maxDuration = "30s")
    void messages(byte[] input) {
        FuzzBytes in = new FuzzBytes(input);
        // the console's size, asked when an Update does not fit, is QEMU's answer too
        FakeFds fds = new FakeFds();
        ConsoleSurface surface = new ConsoleSurface(ByteBuffer.allocate(MEMORY),
            ByteBuffer.allocate(ConsoleSurface.CURSOR_BYTES), () -> new long[] {small(in), small(in)}, fds);
        RecordingReporter lines = new RecordingReporter();
        SurfaceListener listener = new SurfaceListener("fuzz", surface, ConditionLog.once(lines));
        long framed = 0;
        long disables = 0;
        for (int calls = 0; calls < 16 && in.hasMore(); calls++) {
            int selector = in.u8();
            switch (selector >= 250 ? selector - 245 : selector % 5) {
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
                case 4 -> {
                    int w = (int) small(in);
                    int h = (int) small(in);
                    listener.CursorDefine(w, h, (int) small(in), (int) small(in), data(in, (long) w * h * 4));
                    framed++;
                }
                case 5, 6, 7 -> {
                    long w = small(in) & 0xFFFF_FFFFL;
                    long h = small(in) & 0xFFFF_FFFFL;
                    long stride = small(in) & 0xFFFF_FFFFL;
                    long fourcc = in.pick(0x34325258L, 0x34324241L, 0x36314752L, 0x56595559L, 0x20203843L,
                        Integer.toUnsignedLong(in.u32()));
                    long modifier = in.pick(0L, 0x0100_0000_0000_0001L, 0x0100_0000_0000_0002L, 0x00ff_ffff_ffff_ffffL,
                        ((long) in.u32() << 32) | Integer.toUnsignedLong(in.u32()));
                    FileDescriptor fd = in.pick(0, 1, 1, 1) == 0 ? null : new FileDescriptor(fds.make(in, stride * h));
                    listener.ScanoutDMABUF(fd, new UInt32(w), new UInt32(h), new UInt32(stride), new UInt32(fourcc),
                        new UInt64(new java.math.BigInteger(Long.toUnsignedString(modifier))), in.pick(true, true, false));
                    framed++;
                }
                case 8, 9 -> {
                    listener.UpdateDMABUF((int) small(in), (int) small(in), (int) small(in), (int) small(in));
                    framed++;
                }
                default -> {
                    if (in.u8() % 2 == 0) {
                        long w = small(in) & 0xFFFF_FFFFL;
                        long h = small(in) & 0xFFFF_FFFFL;
                        long stride = small(in) & 0xFFFF_FFFFL;
                        long offset = in.pick(0L, 4096L, small(in) & 0xFFFF_FFFFL);
                        long format = in.pick(0x20020888L, 0x10020565L, Integer.toUnsignedLong(in.u32()));
                        FileDescriptor fd = in.pick(0, 1, 1, 1) == 0 ? null
                            : new FileDescriptor(fds.make(in, offset + stride * h));
                        listener.ScanoutMap(fd, new UInt32(offset), new UInt32(w), new UInt32(h), new UInt32(stride),
                            new UInt32(format));
                    } else {
                        listener.UpdateMap((int) small(in), (int) small(in), (int) small(in), (int) small(in));
                    }
                    framed++;
                }
            }
            ConsoleSurface.DmaBufPlane d = surface.dmaBuf();
            if (d != null) {
                assertThat(d.format().isKnown()).isTrue();
                assertThat((long) d.stride()).isGreaterThanOrEqualTo((long) d.width() * d.format().bytesPerPixel());
                assertThat(d.size()).isLessThanOrEqualTo(fds.sizeOfHeld());
            }
            assertThat(fds.open()).as("dups the surface holds (a dma-buf's or a shared memfd's)").isLessThanOrEqualTo(1);
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
            assertThat(line).doesNotContain("\n")
                .matches("WARNING fuzz: QEMU (Scanout|Update|CursorDefine|MouseSet|ScanoutDMABUF|UpdateDMABUF|ScanoutMap|UpdateMap) refused: .+");
        }
        surface.close();
        assertThat(fds.open()).as("dups left open after close").isZero();
    }

    /**
     * Fake fds: received ones (from 100 up) with a kind and size from the input, which the surface
     * must never close (they stay the connection's), and the surface's dups (from 100000 up),
     * each of which it must close exactly once.
     */
    static final class FakeFds implements ConsoleSurface.Fds {
        private final Map<Integer, long[]> received = new HashMap<>(); // fd -> {kind, size}
        private final Map<Integer, Long> dups = new HashMap<>(); // open dup -> size
        private final java.util.Set<Integer> closed = new java.util.HashSet<>();
        private int next = 100;
        private int nextDup = 100_000;

        /** A new received fd: mostly a dma-buf of about the asked size; sometimes a memfd, a socket or one not open. */
        int make(FuzzBytes in, long asked) {
            int fd = next++;
            long kind = in.pick(0, 0, 1, 2, 3); // dma-buf, dma-buf, memfd, socket, not open
            long size = in.pick(asked, asked - 1, asked + 4096, Integer.toUnsignedLong(in.u32()));
            long seals = kind == 1 ? in.pick(ConsoleSurface.F_SEAL_SHRINK, ConsoleSurface.F_SEAL_SHRINK, 0L) : 0;
            if (kind != 3) {
                received.put(fd, new long[] {kind, size, seals});
            }
            return fd;
        }

        @Override
        public String describe(int fd) throws IOException {
            long[] f = received.get(fd);
            if (f == null) {
                throw new IOException("EBADF");
            }
            return f[0] == 0 ? "/dmabuf:" : f[0] == 1 ? "/memfd:fuzz (deleted)" : "socket:[1]";
        }

        @Override
        public long seals(int fd) throws IOException {
            long[] f = received.get(fd);
            if (f == null) {
                throw new IOException("EBADF");
            }
            return f[2];
        }

        @Override
        public long size(int fd) throws IOException {
            long[] f = received.get(fd);
            if (f == null) {
                throw new IOException("EBADF");
            }
            return f[1];
        }

        @Override
        public int dup(int fd) throws IOException {
            long[] f = received.get(fd);
            if (f == null) {
                throw new IOException("EBADF");
            }
            int d = nextDup++;
            dups.put(d, f[1]);
            return d;
        }

        @Override
        public void close(int fd) {
            if (fd < 100_000 || fd >= nextDup) {
                throw new AssertionError("closed fd " + fd + ", which is not one of the surface's dups");
            }
            if (!closed.add(fd)) {
                throw new AssertionError("fd " + fd + " closed twice");
            }
            dups.remove(fd);
        }

        /** Reads zeros from a dup within the size its fd had; past it, end of file. */
        @Override
        public void read(int fd, ByteBuffer dst, long offset) throws IOException {
            Long size = dups.get(fd);
            if (size == null) {
                throw new AssertionError("read fd " + fd + ", which is not an open dup of the surface's");
            }
            if (offset < 0 || offset + dst.remaining() > size) {
                throw new IOException("end of file at " + size);
            }
            ByteBuffer d = dst.duplicate();
            while (d.hasRemaining()) {
                d.put((byte) 0);
            }
        }

        /** The surface's dups still open. */
        int open() {
            return dups.size();
        }

        /** The size of the dup the surface holds (at most one is open after each call). */
        long sizeOfHeld() {
            return dups.values().stream().mapToLong(Long::longValue).max().orElse(0);
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
