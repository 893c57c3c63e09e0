package io.github.scanout.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.scanout.api.input.InputTarget;
import io.github.scanout.api.pixels.PixelConverter;
import io.github.scanout.api.sink.Frame;
import io.github.scanout.api.sink.FrameSink;
import io.github.scanout.api.sink.SinkNeeds;
import io.github.scanout.core.Devices;
import io.github.scanout.core.Pipeline;
import io.github.scanout.core.SinkHandle;
import io.github.scanout.source.region.RegionSources;
import io.github.scanout.testsupport.ChildProcesses;
import io.github.scanout.testsupport.QemuScreendump;
import io.github.scanout.testsupport.QemuScreendump.Picture;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Issue 21's CI test of QEMU's D-Bus display, on the host ({@code kernel-e2e/run --qemu-dbus};
 * a plain {@code kernel-e2e/run} runs it once after the guest series): QEMU (TCG, {@code -machine
 * pc -vga std -display dbus,p2p=yes}) boots the real-kernel suite's guest kernel with a busybox
 * initramfs ({@code kernel-e2e/qemu-dbus/init}) that prints {@link #BANNER} on the VGA text
 * console, hides the cursor and runs a shell on tty1. Scanout reads the console as
 * {@code qemu-dbus:qmp:SOCK?console=0} through a {@link Pipeline} with the region plane source,
 * as the runtime does, into a sink here; the test's own QMP socket takes QEMU's {@code screendump}s.
 * <ol>
 *   <li>The sink's picture of the still console equals QEMU's screendump pixel for pixel, and
 *       shows the banner.</li>
 *   <li>Keys typed through the device's {@link InputTarget} (what a VNC sink with
 *       {@code input=true} forwards to) appear on the console: the shell echoes the command, then
 *       prints its output, read back from the sink's frames cell by cell against the banner's
 *       glyphs; the frame again equals a screendump.</li>
 *   <li>A mode the guest sets reaches the sink: the typed {@code dispi 800 600}
 *       ({@code kernel-e2e/qemu-dbus/dispi.c}) sets a Bochs DISPI mode of 800 x 600 x 32 and
 *       paints a known picture; the sink gets 800 x 600 frames with exactly that picture, equal to
 *       the screendump.</li>
 * </ol>
 * The three run in order on one guest. Properties: {@code scanout.e2e.qemudbus.kernel} (a
 * bzImage), {@code scanout.e2e.qemudbus.initrd}. No wall-clock limit: every wait is for a state,
 * up to {@link #WAIT}. Not run by Maven (see {@link BorrowKernelCheck}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class QemuDbusConsoleCheck {

    /** How long each awaited state may take, generously (TCG on a loaded 2-core machine). */
    static final Duration WAIT = Duration.ofSeconds(180);
    /** What the guest's init prints on the first row of tty1 (kernel-e2e/qemu-dbus/init). */
    static final String BANNER = "scanout-qemu-dbus-check abcdefghijklmnopqrstuvwxyz 0123456789 #$()+-";
    /** The VGA text mode's cells: 80 x 25 characters. */
    static final int COLUMNS = 80;
    static final int ROWS = 25;
    /** X keysyms of the keys this test presses besides printable ASCII (whose keysym is its code). */
    static final int SHIFT_L = 0xffe1;
    static final int RETURN = 0xff0d;
    /** The characters that need Shift on a US keyboard, as a VNC client sends them. */
    static final String SHIFTED = "~!@#$%^&*()_+{}|:\"<>?ABCDEFGHIJKLMNOPQRSTUVWXYZ";

    Path dir;
    Path serial;
    Process qemu;
    Pipeline pipeline;
    SinkHandle handle;
    InputTarget input;
    final LatestFrame sink = new LatestFrame();
    /** The banner's glyphs: a cell's pixels to its character, from the first frame that matched. */
    Map<String, Character> glyphs;
    int screendumps;

    @BeforeAll
    void bootTheGuestAndAttachScanout() throws Exception {
        dir = Files.createTempDirectory("scanout-qemu-dbus");
        serial = dir.resolve("serial.log");
        Path qmp = dir.resolve("qmp.sock");
        List<String> cmd = List.of("qemu-system-x86_64", "-accel", "tcg", "-machine", "pc", "-vga", "std", "-m", "256M",
                "-nodefaults", "-no-reboot", "-serial", "file:" + serial,
                "-display", "dbus,p2p=yes",
                // Scanout's QMP socket, and the test's own for screendump (one client per socket)
                "-qmp", "unix:" + qmp + ",server=on,wait=off",
                "-qmp", "unix:" + dir.resolve("mon.sock") + ",server=on,wait=off",
                "-kernel", BorrowHelperKernelCheck.property("scanout.e2e.qemudbus.kernel"),
                "-initrd", BorrowHelperKernelCheck.property("scanout.e2e.qemudbus.initrd"),
                // kernel messages on the serial port only; the VT cursor invisible; no blanking
                "-append", "console=ttyS0 quiet panic=-1 consoleblank=0 vt.cur_default=1");
        say("QEMU: " + String.join(" ", cmd));
        long t0 = System.nanoTime();
        qemu = ChildProcesses.start(new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("qemu.log").toFile()));
        await("the guest's shell on tty1 (serial: scanout-qemu-dbus: shell 1 on tty1)",
                () -> read(serial).contains("scanout-qemu-dbus: shell 1 on tty1"));
        say("the guest's shell runs after " + (System.nanoTime() - t0) / 1_000_000 + " ms");

        String spec = "qemu-dbus:qmp:" + qmp + "?console=0";
        Devices devices = new Devices(); // the qemu-dbus provider through ServiceLoader, as outside OSGi
        assertThat(devices.schemes()).contains("qemu-dbus");
        pipeline = Pipeline.builder("qemu-dbus-check").open(devices, spec).sources(List.of(RegionSources.create())).build();
        handle = pipeline.attach(sink, "check");
        input = devices.input(spec).orElseThrow(() -> new AssertionError("no input target for " + spec));
    }

    @AfterAll
    void stop() throws IOException {
        if (handle != null) {
            handle.close();
        }
        if (pipeline != null) {
            pipeline.close();
        }
        if (qemu != null) {
            ChildProcesses.destroyTree(qemu, true);
        }
        if (serial != null && Files.exists(serial)) {
            say("the guest's serial console:\n" + read(serial));
        }
        if (dir != null) {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    @Order(1)
    void theCapturedConsoleEqualsQemusScreendumpAndShowsTheBanner() throws Exception {
        Shot shot = sameAsScreendump(s -> s.width() == 720 && s.height() == 400);
        glyphs = glyphs(shot, 0, BANNER);
        assertThat(row(shot, 0)).as("the first row read with the banner's own glyphs (a blank or garbled row"
                + " has equal cells for different characters)").isEqualTo(BANNER);
    }

    @Test
    @Order(2)
    void keysTypedThroughScanoutsInputPathAppearOnTheConsole() throws Exception {
        assertThat(glyphs).as("the banner's glyphs (the first check)").isNotNull();
        // the shell's prompt first: keys typed before the shell reads tty1 would be echoed by the
        // tty alone, before the prompt
        awaitFrame("the shell's prompt 'guest#'", s -> rows(s).contains("guest#"));
        String command = "echo typed-$((20+22))";
        type(command);
        Shot echoed = awaitFrame("the shell echoing the typed command '" + command + "'",
                s -> rows(s).contains("guest# " + command));
        assertThat(rows(echoed)).as("nothing run yet").doesNotContain("typed-42");
        press(RETURN);
        awaitFrame("the command's output 'typed-42' below it", s -> {
            List<String> rows = rows(s);
            int at = rows.indexOf("guest# " + command);
            return at >= 0 && at + 1 < rows.size() && rows.get(at + 1).equals("typed-42");
        });
        Shot shot = sameAsScreendump(s -> rows(s).contains("typed-42") && rows(s).contains("guest#"));
        say("the console after typing, read from the sink's frame ('?': a glyph not in the banner):");
        rows(shot).stream().filter(r -> !r.isEmpty()).forEach(r -> say("| " + r));
    }

    @Test
    @Order(3)
    void aModeTheGuestSetsReachesTheSinkWithItsPicture() throws Exception {
        assertThat(glyphs).as("the banner's glyphs (the first check)").isNotNull();
        String command = "dispi 800 600";
        type(command);
        awaitFrame("the shell echoing '" + command + "'", s -> rows(s).contains("guest# " + command));
        long before = sink.frames.get();
        press(RETURN);
        Shot painted = awaitFrame("an 800 x 600 frame with dispi's picture", s -> s.width() == 800 && s.height() == 600
                && mismatches(s) == 0);
        assertThat(read(serial)).contains("scanout-qemu-dbus: dispi: 800x600x32 set and painted");
        sameAsScreendump(s -> s.width() == 800 && s.height() == 600 && mismatches(s) == 0);
        assertThat(sink.sizes).as("the sizes of the sink's frames, in order").startsWith("720x400").endsWith("800x600");
        assertThat(sink.frames.get()).as("frames after the command").isGreaterThan(before);
        say("the sink's frame sizes in order: " + sink.sizes + "; frames: " + sink.frames.get() + "; painted frame "
                + painted.sequence);
    }

    // ---- the sink ------------------------------------------------------------------------------

    /** One frame as the sink got it: its size and pixels as 0xRRGGBB. */
    record Shot(long sequence, int width, int height, int[] rgb) {
        int at(int x, int y) {
            return rgb[y * width + x];
        }
    }

    /** A CPU sink that keeps the last frame and the sizes it saw, in order. */
    static final class LatestFrame implements FrameSink {
        volatile Shot last;
        final AtomicLong frames = new AtomicLong();
        final List<String> sizes = new CopyOnWriteArrayList<>();

        @Override
        public SinkNeeds needs() {
            return SinkNeeds.cpuSnapshots();
        }

        @Override
        public void frame(Frame frame) {
            var info = frame.primary().info();
            int[] argb = PixelConverter.toArgb(info, frame.primary().pixels());
            for (int i = 0; i < argb.length; i++) {
                argb[i] &= 0xffffff;
            }
            String size = info.width() + "x" + info.height();
            if (sizes.isEmpty() || !sizes.get(sizes.size() - 1).equals(size)) {
                sizes.add(size);
            }
            frames.incrementAndGet();
            last = new Shot(frame.sequence(), info.width(), info.height(), argb);
        }
    }

    /** Waits for a frame of the sink that passes {@code ok}. */
    Shot awaitFrame(String what, Predicate<Shot> ok) throws Exception {
        Shot[] found = new Shot[1];
        await(what + " in the sink's frames", () -> {
            Shot s = sink.last;
            if (s != null && ok.test(s)) {
                found[0] = s;
                return true;
            }
            return false;
        });
        return found[0];
    }

    /**
     * The sink's picture and QEMU's screendump of the same still moment, pixel for pixel: pairs of
     * (screendump, the sink's last frame) until one is equal and passes {@code ok}. The pipeline
     * delivers a frame when the picture changed, so on a still screen its last frame is the
     * current picture; pairs taken while the guest still draws may differ, so the first equal pair
     * counts, and a picture that never matched fails with the last difference.
     */
    Shot sameAsScreendump(Predicate<Shot> ok) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        String last = "no frame yet";
        int pairs = 0;
        while (true) {
            pairs++;
            Picture theirs = QemuScreendump.take(dir.resolve("mon.sock"), dir.resolve("screen-" + ++screendumps + ".ppm"),
                    WAIT);
            Shot ours = sink.last;
            if (ours != null) {
                if (ours.width() != theirs.width() || ours.height() != theirs.height()) {
                    last = "the sink's frame is " + ours.width() + " x " + ours.height() + ", QEMU's screendump "
                            + theirs.width() + " x " + theirs.height();
                } else {
                    long differing = 0;
                    for (int i = 0; i < ours.rgb().length; i++) {
                        if (ours.rgb()[i] != theirs.rgb()[i]) {
                            differing++;
                        }
                    }
                    if (differing == 0 && ok.test(ours)) {
                        say("the sink's frame " + ours.sequence() + " (" + ours.width() + " x " + ours.height()
                                + ") equals QEMU's screendump " + screendumps + ", pair " + pairs
                                + (pairs > 1 ? " (the pair before: " + last + ")" : ""));
                        return ours;
                    }
                    last = differing + " pixels differ from QEMU's screendump " + screendumps;
                }
            }
            assertThat(System.nanoTime() - deadline).as("the sink's frame and QEMU's screendump equal within %s: %s",
                    WAIT, last).isNegative();
            Thread.sleep(200);
        }
    }

    // ---- reading the text console back ---------------------------------------------------------

    static String cell(Shot s, int col, int row) {
        int cw = s.width() / COLUMNS;
        int ch = s.height() / ROWS;
        int[] px = new int[cw * ch];
        for (int y = 0; y < ch; y++) {
            for (int x = 0; x < cw; x++) {
                px[y * cw + x] = s.at(col * cw + x, row * ch + y);
            }
        }
        return Arrays.toString(px);
    }

    /** The glyph of each character of {@code text}, as the frame shows it on {@code row}. */
    static Map<String, Character> glyphs(Shot s, int row, String text) {
        Map<String, Character> out = new HashMap<>();
        for (int col = 0; col < text.length(); col++) {
            out.putIfAbsent(cell(s, col, row), text.charAt(col));
        }
        return out;
    }

    /** A row read with the banner's glyphs, '?' for a cell that is none of them; trailing blanks cut. */
    String row(Shot s, int row) {
        StringBuilder b = new StringBuilder();
        for (int col = 0; col < COLUMNS; col++) {
            b.append(glyphs.getOrDefault(cell(s, col, row), '?'));
        }
        return b.toString().stripTrailing();
    }

    /** Every row of a text-mode frame; none for a frame of another size. */
    List<String> rows(Shot s) {
        List<String> out = new ArrayList<>();
        if (s.width() == 720 && s.height() == 400) {
            for (int r = 0; r < ROWS; r++) {
                out.add(row(s, r));
            }
        }
        return out;
    }

    /** Pixels of an 800 x 600 frame that differ from dispi.c's picture. */
    static long mismatches(Shot s) {
        long n = 0;
        for (int y = 0; y < s.height(); y++) {
            for (int x = 0; x < s.width(); x++) {
                int expected = (x & 0xff) << 16 | (y & 0xff) << 8 | ((x ^ y) >> 2 & 0xff);
                if (s.at(x, y) != expected) {
                    n++;
                }
            }
        }
        return n;
    }

    // ---- typing, as a VNC client sends keys ----------------------------------------------------

    void type(String text) throws InterruptedException {
        for (char c : text.toCharArray()) {
            assertThat(c).as("printable ASCII").isBetween(' ', '~');
            boolean shift = SHIFTED.indexOf(c) >= 0;
            if (shift) {
                key(SHIFT_L, true);
            }
            press(c);
            if (shift) {
                key(SHIFT_L, false);
            }
        }
    }

    void press(int keysym) throws InterruptedException {
        key(keysym, true);
        key(keysym, false);
    }

    /**
     * One key event, then a short pause, as a person types: the guest reads the PS/2 keyboard one
     * interrupt at a time under TCG. Not a time limit: the checks wait for what the screen shows.
     */
    void key(int keysym, boolean down) throws InterruptedException {
        input.key(keysym, down);
        Thread.sleep(30);
    }

    // ---- helpers -------------------------------------------------------------------------------

    interface Condition {
        boolean holds() throws Exception;
    }

    void await(String what, Condition c) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!c.holds()) {
            assertThat(qemu.isAlive()).as("QEMU runs while waiting for %s; its log: %s; the guest's serial console: %s",
                    what, read(dir.resolve("qemu.log")), read(serial)).isTrue();
            if (System.nanoTime() > deadline) {
                Shot s = sink.last;
                String screen = s == null ? "no frame" : s.width() + " x " + s.height()
                        + (s.width() == 800 && s.height() == 600 ? ", " + mismatches(s) + " pixels differ from dispi's picture"
                                : "")
                        + (glyphs == null || rows(s).isEmpty() ? "" : ", rows:\n" + String.join("\n", rows(s)).stripTrailing());
                throw new AssertionError("waited " + WAIT + " for " + what + "; the sink's last frame: " + screen
                        + "\nthe guest's serial console:\n" + read(serial));
            }
            Thread.sleep(100);
        }
    }

    static String read(Path p) throws IOException {
        return Files.exists(p) ? Files.readString(p, StandardCharsets.ISO_8859_1) : "";
    }

    static void say(String line) {
        System.out.println("scanout-qemu-dbus-check: " + line);
    }
}
