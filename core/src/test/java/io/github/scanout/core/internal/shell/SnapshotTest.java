package io.github.scanout.core.internal.shell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.scanout.api.buffer.Leases;
import io.github.scanout.core.Devices;
import io.github.scanout.core.Pipeline;
import io.github.scanout.core.PipelineOptions;
import io.github.scanout.core.testing.Await;
import io.github.scanout.core.testing.SimRegionSource;
import io.github.scanout.sim.SimDevice;
import io.github.scanout.sim.SimDeviceProvider;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code scanout:snapshot}: a one-shot sink, the canonical conversion, an atomic PNG. */
class SnapshotTest {
    static final Duration WAIT = Duration.ofSeconds(10);

    final SimDeviceProvider provider = new SimDeviceProvider();
    final Devices devices = new Devices(List.of(provider));

    Pipeline pipeline(String spec) {
        return Pipeline.builder(spec).open(devices, spec).sources(List.of(new SimRegionSource()))
                .options(PipelineOptions.defaults()).build();
    }

    @Test
    void writesTheDevicesPixelsAndDetachesItsSink(@TempDir Path dir) throws Exception {
        String spec = "sim:mdpy-xga?animate=false";
        SimDevice sim = provider.device(spec);
        sim.fill(0xff204060);
        sim.fillRect(10, 20, 30, 40, 0xffff8000);
        long leases = Leases.live();
        try (Pipeline p = pipeline(spec)) {
            Snapshot.Written w = Snapshot.take(p, dir.resolve("shot.png"), WAIT);
            assertThat(w.file()).isEqualTo(dir.resolve("shot.png"));
            assertThat(w.plane().width()).isEqualTo(1024);
            BufferedImage img = ImageIO.read(dir.resolve("shot.png").toFile());
            assertThat(img.getWidth()).isEqualTo(1024);
            assertThat(img.getHeight()).isEqualTo(768);
            int[] expected = sim.pixels();
            int[] got = img.getRGB(0, 0, 1024, 768, null, 0, 1024);
            assertThat(got).isEqualTo(expected);
            assertThat(p.stats().sinks()).as("the one-shot sink is detached").isEmpty();
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(f -> f.getFileName().toString())).containsExactly("shot.png");
        }
        Await.until("leases back", WAIT, Leases::live, n -> n == leases);
    }

    @Test
    void aDeviceWithoutSignalIsAnErrorNamingTheReason(@TempDir Path dir) throws Exception {
        long leases = Leases.live();
        try (Pipeline p = pipeline("sim:mbochs?animate=false")) {
            // mbochs without a mode: the plane is disabled (and the region source cannot read it anyway)
            assertThatThrownBy(() -> Snapshot.take(p, dir.resolve("x.png"), Duration.ofMillis(500)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("no frame from sim:mbochs?animate=false within 500 ms: ");
            assertThat(p.stats().sinks()).isEmpty();
        }
        assertThat(dir.resolve("x.png")).doesNotExist();
        Await.until("leases back", WAIT, Leases::live, n -> n == leases);
    }

    @Test
    void aMissingDirectoryIsRefusedBeforeAttaching(@TempDir Path dir) {
        try (Pipeline p = pipeline("sim:mdpy-vga")) {
            assertThatThrownBy(() -> Snapshot.take(p, dir.resolve("nope/x.png"), WAIT))
                    .isInstanceOf(IOException.class).hasMessageContaining("nope").hasMessageContaining("does not exist");
        }
    }

    @Test
    void aFileThatCannotBeWrittenIsOneLineNamingItAndTheReasonWithoutAStackTrace(@TempDir Path dir) throws Exception {
        // the temporary file's name taken by a directory: opening it fails even for root
        Files.createDirectory(dir.resolve(".x.png.tmp"));
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        java.io.PrintStream saved = System.err;
        System.setErr(new java.io.PrintStream(captured, true));
        try (Pipeline p = pipeline("sim:mdpy-vga")) {
            assertThatThrownBy(() -> Snapshot.take(p, dir.resolve("x.png"), WAIT))
                    .isInstanceOf(IOException.class)
                    .hasMessage("cannot write " + dir.toAbsolutePath().resolve("x.png") + ": Is a directory");
        } finally {
            System.setErr(saved);
        }
        assertThat(captured.toString()).doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(dir.resolve("x.png")).doesNotExist();
        assertThat(dir.resolve(".x.png.tmp")).isDirectory(); // not ours: left alone
    }

    @Test
    void aRefusedWriteNamesTheReasonInWords() {
        assertThat(Snapshot.reason(new java.nio.file.AccessDeniedException("/x/y.png"))).isEqualTo("permission denied");
        assertThat(Snapshot.reason(new java.nio.file.FileSystemException("/x/y.png", null, "No space left on device")))
                .isEqualTo("No space left on device");
        assertThat(Snapshot.reason(new java.nio.file.NoSuchFileException("/proc/.x.png.tmp")))
                .isEqualTo("no such file or directory");
    }
}
