package io.github.scanout.source.qemudbus.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.scanout.api.Damage;
import io.github.scanout.api.DrmFormat;
import io.github.scanout.api.support.ConditionLog;
import io.github.scanout.testsupport.RecordingReporter;
import java.nio.ByteBuffer;
import org.freedesktop.dbus.types.UInt32;
import org.junit.jupiter.api.Test;

/**
 * The checks on QEMU's Listener messages with crafted messages: what a good {@code Scanout} and
 * {@code Update} write, and that each broken rule is one line naming the message and the field,
 * changes nothing, and leaves the surface usable for the next message.
 */
class ConsoleSurfaceTest {

    static final long XRGB = 0x20020888L;

    final ByteBuffer memory = ByteBuffer.allocate(64 * 1024);
    final ConsoleSurface surface = new ConsoleSurface(memory);

    static byte[] filled(int n, int value) {
        byte[] b = new byte[n];
        java.util.Arrays.fill(b, (byte) value);
        return b;
    }

    @Test
    void aScanoutBecomesThePlaneAndItsBytes() throws Exception {
        byte[] data = new byte[16 * 4 * 8];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) i;
        }
        surface.scanout(16, 8, 64, XRGB, data);
        assertThat(surface.plane()).isEqualTo(new ConsoleSurface.Plane(DrmFormat.XRGB8888, 16, 8, 64));
        assertThat(surface.plane().size()).isEqualTo(512);
        byte[] back = new byte[data.length];
        memory.get(0, back);
        assertThat(back).isEqualTo(data);
    }

    @Test
    void anUpdateWritesItsRectangleOnly() throws Exception {
        surface.scanout(16, 8, 80, XRGB, filled(80 * 8, 0)); // stride with padding
        // 2 x 3 pixels at (5, 4), rows packed as QEMU 7.2 sends them
        surface.update(5, 4, 2, 3, 8, XRGB, filled(8 * 3, 0x7f));
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 20; x++) { // the padding too
                boolean inside = x >= 5 && x < 7 && y >= 4 && y < 7;
                assertThat(memory.get(y * 80 + x * 4)).as("pixel %d,%d", x, y).isEqualTo((byte) (inside ? 0x7f : 0));
            }
        }
        assertThat(surface.counts()).containsExactly(2, 0);
    }

    @Test
    void whatEachMessageChangedIsRecordedForTheCaptureLoop() throws Exception {
        ConsoleDamage damage = new ConsoleDamage();
        damage.take();
        surface.reportDamageTo(damage);
        assertThat(damage.take()).as("a new connection: anything may have changed").isEqualTo(Damage.UNKNOWN);
        assertThat(damage.take()).isEqualTo(Damage.NONE);
        surface.scanout(16, 8, 64, XRGB, filled(512, 0));
        assertThat(damage.take()).isEqualTo(Damage.of(0, 0, 16, 8));
        surface.update(5, 4, 2, 3, 8, XRGB, filled(24, 1));
        surface.update(0, 0, 1, 1, 4, XRGB, filled(4, 2));
        assertThat(damage.take()).hasToString("Damage[2x3+5+4, 1x1+0+0]");
        assertThatThrownBy(() -> surface.update(15, 7, 2, 2, 8, XRGB, filled(16, 3)))
            .isInstanceOf(QemuMessageException.class);
        assertThat(damage.take()).as("a refused Update changed nothing").isEqualTo(Damage.NONE);
        surface.disable();
        assertThat(damage.take()).isEqualTo(Damage.UNKNOWN);
    }

    @Test
    void aDmaBufScanoutIsUnknownDamageAndItsUpdatesAreRectangles() throws Exception {
        ConsoleSurface.Fds oneDmaBuf = new ConsoleSurface.Fds() {
            @Override
            public String describe(int fd) {
                return "/dmabuf:";
            }

            @Override
            public long size(int fd) {
                return 1 << 20;
            }

            @Override
            public long seals(int fd) {
                return 0;
            }

            @Override
            public int dup(int fd) {
                return fd + 1000;
            }

            @Override
            public void close(int fd) {
            }
        };
        ConsoleSurface s = new ConsoleSurface(memory, ByteBuffer.allocate(ConsoleSurface.CURSOR_BYTES), null, oneDmaBuf);
        ConsoleDamage damage = new ConsoleDamage();
        s.reportDamageTo(damage);
        damage.take();
        s.scanoutDmabuf(7, 64, 48, 256, 0x34325258L /* XR24 */, 0, true);
        assertThat(damage.take()).as("a new buffer: unknown").isEqualTo(Damage.UNKNOWN);
        s.updateDmabuf(8, 16, 9, 16);
        assertThat(damage.take()).isEqualTo(Damage.of(8, 16, 9, 16));
        assertThat(damage.take()).isEqualTo(Damage.NONE);
    }

    @Test
    void everyPixmanFormatScanoutShowsMapsToItsDrmFormat() throws Exception {
        long[][] formats = {
            {0x20020888L, DrmFormat.XRGB8888.fourcc()}, {0x20028888L, DrmFormat.ARGB8888.fourcc()},
            {0x20030888L, DrmFormat.XBGR8888.fourcc()}, {0x20038888L, DrmFormat.ABGR8888.fourcc()},
            {0x18020888L, DrmFormat.RGB888.fourcc()}, {0x18030888L, DrmFormat.BGR888.fourcc()},
            {0x10020565L, DrmFormat.RGB565.fourcc()}, {0x20020aaaL, DrmFormat.XRGB2101010.fourcc()},
            {0x20030aaaL, DrmFormat.XBGR2101010.fourcc()},
        };
        for (long[] f : formats) {
            DrmFormat drm = new DrmFormat((int) f[1]);
            int stride = 4 * drm.bytesPerPixel();
            surface.scanout(4, 2, stride, f[0], new byte[stride * 2]);
            assertThat(surface.plane().format()).as(PixmanFormat.describe(f[0])).isEqualTo(drm);
        }
    }

    /** A refusal: one line naming the message and the field, and the surface as before. */
    void refused(ThrowingCall call, String message, String field, String text) throws Exception {
        ConsoleSurface.Plane before = surface.plane();
        byte[] bytesBefore = new byte[memory.capacity()];
        memory.get(0, bytesBefore);
        long refusedBefore = surface.counts()[1];
        assertThatThrownBy(call::run).isInstanceOf(QemuMessageException.class)
            .hasMessageStartingWith("QEMU " + message + " refused: " + field + " ")
            .hasMessageContaining(text)
            .satisfies(e -> assertThat(((QemuMessageException) e).field()).isEqualTo(field))
            .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        assertThat(surface.plane()).isEqualTo(before);
        byte[] bytesAfter = new byte[memory.capacity()];
        memory.get(0, bytesAfter);
        assertThat(bytesAfter).isEqualTo(bytesBefore);
        assertThat(surface.counts()[1]).isEqualTo(refusedBefore + 1);
    }

    interface ThrowingCall {
        void run() throws Exception;
    }

    @Test
    void scanoutRulesEachRefuseOneField() throws Exception {
        surface.scanout(4, 4, 16, XRGB, filled(64, 1));
        refused(() -> surface.scanout(0, 4, 16, XRGB, new byte[64]), "Scanout", "width", "is not 1 to 16384");
        refused(() -> surface.scanout(16385, 1, 65540, XRGB, new byte[0]), "Scanout", "width", "16385 is not 1 to 16384");
        refused(() -> surface.scanout(4, 0xFFFF_FFFFL, 16, XRGB, new byte[0]), "Scanout", "height", "4294967295");
        refused(() -> surface.scanout(4, 4, 16, 0x08018000L, new byte[64]), "Scanout", "pixman format",
            "0x8018000 is not one Scanout shows: expected 0x20020888 (x8r8g8b8)");
        refused(() -> surface.scanout(4, 4, 15, XRGB, new byte[60]), "Scanout", "stride",
            "15 is below width x bytes per pixel (16 for 4 x XR24");
        refused(() -> surface.scanout(4, 4, (1 << 20) + 4, XRGB, new byte[0]), "Scanout", "stride", "is more than 1048576");
        refused(() -> surface.scanout(16384, 16384, 65536, XRGB, new byte[0]), "Scanout", "stride x height",
            "1073741824 is more than the 65536 bytes the console's region holds");
        refused(() -> surface.scanout(4, 4, 16, XRGB, new byte[63]), "Scanout", "data length", "63 is not stride x height (64)");
        refused(() -> surface.scanout(4, 4, 16, XRGB, null), "Scanout", "data length", "0 is not stride x height (64)");
        // still usable
        surface.scanout(2, 2, 8, XRGB, filled(16, 2));
        assertThat(surface.plane()).isEqualTo(new ConsoleSurface.Plane(DrmFormat.XRGB8888, 2, 2, 8));
    }

    @Test
    void updateRulesEachRefuseOneField() throws Exception {
        refused(() -> surface.update(0, 0, 1, 1, 4, XRGB, new byte[4]), "Update", "rectangle", "no Scanout before it");
        surface.scanout(8, 4, 32, XRGB, filled(128, 1));
        refused(() -> surface.update(0, 0, 1, 1, 4, 0x20028888L, new byte[4]), "Update", "pixman format",
            "0x20028888 (a8r8g8b8) differs from the scanout's 0x20020888 (x8r8g8b8)");
        refused(() -> surface.update(-1, 0, 1, 1, 4, XRGB, new byte[4]), "Update", "x", "-1 is negative");
        refused(() -> surface.update(0, -2, 1, 1, 4, XRGB, new byte[4]), "Update", "y", "-2 is negative");
        refused(() -> surface.update(0, 0, -1, 1, 4, XRGB, new byte[4]), "Update", "width", "is negative");
        refused(() -> surface.update(0, 0, 1, Integer.MIN_VALUE, 4, XRGB, new byte[4]), "Update", "height", "is negative");
        refused(() -> surface.update(7, 0, 2, 1, 8, XRGB, new byte[8]), "Update", "x + width", "9 is more than the scanout's width 8");
        refused(() -> surface.update(0, Integer.MAX_VALUE, 1, Integer.MAX_VALUE, 4, XRGB, new byte[4]), "Update",
            "y + height", "4294967294 is more than the scanout's height 4");
        refused(() -> surface.update(0, 0, 2, 1, 7, XRGB, new byte[7]), "Update", "stride", "7 is below width x bytes per pixel (8");
        refused(() -> surface.update(0, 0, 2, 2, 8, XRGB, new byte[15]), "Update", "data length", "15 is not stride x height (16)");
        surface.disable();
        assertThat(surface.plane()).isNull();
        refused(() -> surface.update(0, 0, 1, 1, 4, XRGB, new byte[4]), "Update", "rectangle", "or after Disable");
    }

    /**
     * QEMU 7.2 switches modes without a Scanout (measured: SeaBIOS's 640 x 480 to 720 x 400 text
     * arrives as 720 x 16 Updates): an Update that does not fit reads the console's size.
     */
    @Test
    void anUpdateBeyondTheScanoutSwitchesToTheConsolesSize() throws Exception {
        long[] console = {24, 4};
        int[] asked = {0};
        ConsoleSurface switching = new ConsoleSurface(memory, () -> {
            asked[0]++;
            return console.clone();
        });
        switching.scanout(16, 8, 64, XRGB, filled(512, 9));
        switching.update(0, 0, 2, 2, 8, XRGB, filled(16, 1));
        assertThat(asked[0]).as("an Update that fits asks nothing").isZero();

        switching.update(20, 0, 4, 1, 16, XRGB, filled(16, 5)); // x + width 24 > 16
        assertThat(switching.plane()).isEqualTo(new ConsoleSurface.Plane(DrmFormat.XRGB8888, 24, 4, 96));
        assertThat(switching.switches()).isEqualTo(1);
        assertThat(memory.get(20 * 4)).isEqualTo((byte) 5);
        assertThat(memory.get(0)).as("the rest is black until drawn").isEqualTo((byte) 0);
        assertThat(memory.get(96 * 4 - 1)).isEqualTo((byte) 0);

        // the console's size does not hold the rectangle: refused as before, nothing switched
        byte[] before = new byte[memory.capacity()];
        memory.get(0, before);
        assertThatThrownBy(() -> switching.update(0, 3, 1, 2, 4, XRGB, new byte[8])).isInstanceOf(QemuMessageException.class)
            .hasMessage("QEMU Update refused: y + height 5 is more than the scanout's height 4");
        // a bad Update on a size that would switch switches nothing
        console[0] = 32;
        assertThatThrownBy(() -> switching.update(28, 0, 4, 1, 16, XRGB, new byte[15])).isInstanceOf(QemuMessageException.class)
            .hasMessage("QEMU Update refused: data length 15 is not stride x height (16)");
        assertThat(switching.plane().width()).isEqualTo(24);
        byte[] after = new byte[memory.capacity()];
        memory.get(0, after);
        assertThat(after).isEqualTo(before);
        // hostile sizes are checked like a Scanout's
        for (long[] bad : new long[][] {{0, 4}, {16385, 4}, {40, -1}, {65536, 16384}}) {
            console[0] = bad[0];
            console[1] = bad[1];
            assertThatThrownBy(() -> switching.update(30, 0, 4, 1, 16, XRGB, new byte[16]))
                .isInstanceOf(QemuMessageException.class).hasMessageContaining("x + width 34 is more than");
        }
        assertThat(switching.switches()).isEqualTo(1);
        // another format on the same size switches too (a 16-bit mode)
        console[0] = 24;
        console[1] = 4;
        switching.update(0, 0, 1, 1, 2, 0x10020565L, new byte[] {1, 2});
        assertThat(switching.plane()).isEqualTo(new ConsoleSurface.Plane(DrmFormat.RGB565, 24, 4, 48));
    }

    @Test
    void aConsoleSizeThatFailsRefusesTheUpdateOnly() throws Exception {
        ConsoleSurface failing = new ConsoleSurface(memory, () -> {
            throw new java.io.IOException("QEMU did not tell the size of console 0: Not Connected");
        });
        failing.scanout(4, 4, 16, XRGB, new byte[64]);
        assertThatThrownBy(() -> failing.update(4, 0, 1, 1, 4, XRGB, new byte[4])).isInstanceOf(QemuMessageException.class)
            .hasMessage("QEMU Update refused: x + width 5 is more than the scanout's width 4");
        failing.update(3, 3, 1, 1, 4, XRGB, new byte[4]);
        assertThat(failing.counts()).containsExactly(2, 1);
    }

    @Test
    void aCursorShowsWhereThePointerIsOnceShown() throws Exception {
        ByteBuffer cursorMemory = ByteBuffer.allocate(ConsoleSurface.CURSOR_BYTES);
        ConsoleSurface s = new ConsoleSurface(memory, cursorMemory, null);
        s.cursorDefine(2, 3, 1, 2, filled(2 * 3 * 4, 0x55));
        assertThat(s.cursor()).as("hidden until MouseSet shows it").isNull();
        s.mouseSet(100, 50, 1);
        assertThat(s.cursor()).isEqualTo(new ConsoleSurface.CursorPlane(2, 3, 1, 2, 99, 48));
        assertThat(s.cursor().format()).isEqualTo(DrmFormat.ARGB8888);
        assertThat(cursorMemory.get(23)).isEqualTo((byte) 0x55);
        s.cursorDefine(4, 4, 0, 0, filled(64, 1)); // a new image at the same pointer
        assertThat(s.cursor()).isEqualTo(new ConsoleSurface.CursorPlane(4, 4, 0, 0, 100, 50));
        s.mouseSet(-3, 7, 1);
        assertThat(s.cursor().x()).isEqualTo(-3);
        s.mouseSet(10, 10, 0);
        assertThat(s.cursor()).isNull();
        assertThat(s.counts()).containsExactly(5, 0);
    }

    @Test
    void cursorRulesEachRefuseOneField() throws Exception {
        refused(() -> surface.cursorDefine(0, 4, 0, 0, new byte[0]), "CursorDefine", "width", "0 is not 1 to 256");
        refused(() -> surface.cursorDefine(4, 257, 0, 0, new byte[0]), "CursorDefine", "height", "257 is not 1 to 256");
        refused(() -> surface.cursorDefine(4, 4, 4, 0, new byte[64]), "CursorDefine", "hot x", "4 is outside the cursor (0 to 3)");
        refused(() -> surface.cursorDefine(4, 4, 0, -1, new byte[64]), "CursorDefine", "hot y", "-1 is outside");
        refused(() -> surface.cursorDefine(4, 4, 0, 0, new byte[63]), "CursorDefine", "data length",
            "63 is not width x height x 4 (64)");
        refused(() -> surface.mouseSet(65537, 0, 1), "MouseSet", "x", "65537 is not -65536 to 65536");
        refused(() -> surface.mouseSet(0, Integer.MIN_VALUE, 1), "MouseSet", "y", "-2147483648 is not");
        assertThat(surface.cursor()).isNull();
    }

    @Test
    void nothingIsWrittenAfterClose() throws Exception {
        surface.scanout(2, 2, 8, XRGB, filled(16, 3));
        surface.close();
        surface.scanout(2, 2, 8, XRGB, filled(16, 9));
        assertThat(memory.get(0)).isEqualTo((byte) 3);
        assertThat(surface.plane()).isNull();
    }

    @Test
    void theListenerReportsARefusalOnceAndGoesOn() throws Exception {
        RecordingReporter lines = new RecordingReporter();
        SurfaceListener listener = new SurfaceListener("qemu-dbus:qmp:/q.sock", surface, ConditionLog.once(lines));
        UInt32 four = new UInt32(4);
        listener.Scanout(four, four, new UInt32(15), new UInt32(XRGB), new byte[60]);
        listener.Scanout(four, four, new UInt32(15), new UInt32(XRGB), new byte[60]);
        listener.Scanout(four, four, new UInt32(16), new UInt32(XRGB), filled(64, 5));
        listener.Update(1, 1, 1, 1, four, new UInt32(XRGB), filled(4, 6));
        assertThat(lines.lines()).hasSize(1);
        assertThat(lines.lines().get(0)).contains("qemu-dbus:qmp:/q.sock: QEMU Scanout refused: stride 15 is below");
        assertThat(memory.get(16 + 4)).isEqualTo((byte) 6);
        assertThat(surface.counts()).containsExactly(2, 2);
    }
}
