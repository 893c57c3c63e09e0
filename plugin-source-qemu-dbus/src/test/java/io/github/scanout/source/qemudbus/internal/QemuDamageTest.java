package io.github.scanout.source.qemudbus.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.scanout.api.Damage;
import io.github.scanout.api.sink.Frame;
import io.github.scanout.api.sink.FrameSink;
import io.github.scanout.api.sink.SinkNeeds;
import io.github.scanout.core.Devices;
import io.github.scanout.core.Pipeline;
import io.github.scanout.source.region.RegionSources;
import io.github.scanout.testsupport.RecordingReporter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * QEMU's Update rectangles as the pipeline's damage, against a real QEMU 7.2 (standard VGA,
 * SeaBIOS's text screen with its blinking cursor): the frames a sink is handed carry known damage,
 * and a pixel that differs between two frames in a row is inside the later frame's damage or, when
 * QEMU wrote it while that frame was read, inside the damage of the frame after it
 * ({@link Damage}'s one allowance). So the pipeline's trust in QEMU's word (no hashing) loses
 * nothing: a sink that redraws the damage shows every change by the next frame.
 */
class QemuDamageTest {

    @TempDir
    Path dir;

    RealQemu real;

    @BeforeEach
    void startQemu() throws Exception {
        real = RealQemu.start(dir, "-machine", "pc", "-vga", "none", "-device", "VGA");
    }

    @AfterEach
    void stopQemu() {
        if (real != null) {
            real.close();
        }
    }

    /** A viewer that keeps each frame's pixels (a snapshot: consistent), number and damage. */
    static final class Keeper implements FrameSink {
        record Kept(long sequence, int width, int height, int[] rgb, Damage damage) {}

        final List<Kept> frames = new ArrayList<>();

        @Override
        public SinkNeeds needs() {
            return new SinkNeeds(true, true, Set.of(), 0, true);
        }

        @Override
        public void frame(Frame frame) {
            Kept k = new Kept(frame.sequence(), frame.primary().info().width(), frame.primary().info().height(),
                QemuDbusDeviceTest.rgb(frame.primary()), frame.damage());
            synchronized (this) {
                frames.add(k);
            }
        }

        synchronized List<Kept> frames() {
            return List.copyOf(frames);
        }
    }

    @Test
    void framesCarryQemusDamageAndNothingOutsideItChanged() throws Exception {
        RecordingReporter lines = new RecordingReporter();
        Devices devices = new Devices(List.of(new QemuDbusDeviceProvider(lines)));
        String spec = "qemu-dbus:qmp:" + real.sock;
        assertThat(devices.damage(spec)).isPresent();
        Keeper sink = new Keeper();
        try (Pipeline p = Pipeline.builder("vm").open(devices, spec).sources(List.of(RegionSources.create()))
                .build()) {
            p.attach(sink, "viewer");
            long deadline = System.nanoTime() + RealQemu.WAIT.toNanos();
            int checked = 0;
            int index = 1;
            while (checked < 3) {
                assertThat(System.nanoTime()).as("three frames in a row with known damage within %s: %s", RealQemu.WAIT,
                    sink.frames()).isLessThan(deadline);
                List<Keeper.Kept> seen = sink.frames();
                for (; index + 1 < seen.size(); index++) {
                    Keeper.Kept before = seen.get(index - 1);
                    Keeper.Kept now = seen.get(index);
                    Keeper.Kept after = seen.get(index + 1);
                    if (now.sequence() != before.sequence() + 1 || after.sequence() != now.sequence() + 1
                            || !now.damage().known() || !after.damage().known()) {
                        continue;
                    }
                    assertThat(now.width()).isEqualTo(before.width());
                    assertThat(now.height()).isEqualTo(before.height());
                    for (int y = 0; y < now.height(); y++) {
                        for (int x = 0; x < now.width(); x++) {
                            int at = y * now.width() + x;
                            if (now.rgb()[at] != before.rgb()[at]) {
                                assertThat(now.damage().touches(x, y, 1, 1) || after.damage().touches(x, y, 1, 1))
                                    .as("pixel %d,%d changed between frames %d and %d outside %s and the next"
                                        + " frame's %s", x, y, before.sequence(), now.sequence(), now.damage(),
                                        after.damage()).isTrue();
                            }
                        }
                    }
                    if (!now.damage().isEmpty()) {
                        checked++;
                    }
                }
                Thread.sleep(50);
            }
        }
        assertThat(lines.lines()).as("no message of QEMU was refused, the damage log never failed")
            .noneMatch(l -> l.contains("refused") || l.contains("damage log"));
    }
}
