package io.github.scanout.example.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.device.GfxDevice;
import io.github.scanout.core.Devices;
import io.github.scanout.core.PipelineStats;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedCaptureTest {
    final Devices devices = new Devices();

    @TempDir
    Path dir;

    @Test
    void picksTheRegionSourceForMdpyAndTheDmabufSourceForGvt() throws Exception {
        try (GfxDevice mdpy = devices.open("sim:mdpy-vga"); GfxDevice gvt = devices.open("sim:gvt?mmap=allow")) {
            assertThat(EmbeddedCapture.pick(mdpy, EmbeddedCapture.sources()).bufferType().name()).isEqualTo("region");
            assertThat(EmbeddedCapture.pick(gvt, EmbeddedCapture.sources()).bufferType().name()).isEqualTo("dmabuf");
            assertThatThrownBy(() -> EmbeddedCapture.pick(mdpy, List.of())).isInstanceOf(DeviceException.class)
                    .hasMessageStartingWith("no plane source can read sim:mdpy-vga (tried []");
        }
    }

    @Test
    void writesASnapshotByHand() throws Exception {
        Path png = dir.resolve("shot.png");
        assertThat(EmbeddedCapture.snapshot(devices, "sim:mdpy-xga", png)).isEqualTo("region");
        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image.getWidth()).isEqualTo(1024);
        assertThat(image.getHeight()).isEqualTo(768);
    }

    @Test
    void aDeviceThatShowsNothingYetSaysSo() {
        assertThatThrownBy(() -> EmbeddedCapture.snapshot(devices, "sim:mbochs?mmap=allow", dir.resolve("x.png")))
                .isInstanceOf(DeviceException.class)
                .hasMessage("sim:mbochs?mmap=allow shows nothing yet: the guest has not set a mode");
    }

    @Test
    void feedsASinkThroughAPipeline() throws Exception {
        EmbeddedCapture.CountingSink sink = new EmbeddedCapture.CountingSink();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        PipelineStats stats = null;
        while (sink.frames() < 3 && System.nanoTime() < deadline) { // an animated device: new frames keep coming
            stats = EmbeddedCapture.stream(devices, "sim:gvt?mmap=allow", sink, 30, Duration.ofSeconds(1));
        }
        assertThat(sink.frames()).as("frames delivered; last stats %s", stats).isGreaterThanOrEqualTo(3);
        assertThat(sink.last()).isEqualTo("1024x768");
    }
}
