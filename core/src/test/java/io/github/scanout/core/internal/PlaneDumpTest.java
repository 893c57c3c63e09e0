package io.github.scanout.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.scanout.core.Devices;
import io.github.scanout.core.testing.FakeVgpu;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class PlaneDumpTest {

    final FakeVgpu fake = new FakeVgpu("fake:vga");
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();

    int run(String... args) {
        Devices devices = new Devices(List.of(fake.provider("fake")), fake, Path.of("/nonexistent/sys"), Path.of("/nonexistent/dev"));
        return PlaneDump.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                devices, 0);
    }

    String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void dumpsInfoProbesAndPlanesOncePerTick() {
        fake.enomemQueries = 1;
        assertThat(run("fake:vga", "3")).isZero();
        String o = out();
        assertThat(o).contains("device fake:vga: flags 0x3 (pci) (reset), 3 regions, 0 irqs");
        assertThat(o).contains("probe dmabuf: supported").contains("probe region: not supported (EINVAL)");
        assertThat(o).contains("t=0s dmabuf primary: PRIMARY dmabuf XR24 640x480 stride 2560 size 1228800 id 1");
        assertThat(o).contains("t=2s dmabuf cursor: disabled");
        assertThat(o.split("transient error", -1)).hasSize(2);
        assertThat(err()).isEmpty();
        assertThat(fake.openFds()).isEmpty();
    }

    @Test
    void badArgumentsExitTwoWithOneLine() {
        assertThat(run("a", "1", "extra")).isEqualTo(2);
        assertThat(run("fake:vga", "soon")).isEqualTo(2);
        assertThat(run("fake:vga", "0")).isEqualTo(2);
        assertThat(run("")).isEqualTo(2);
        assertThat(err().lines()).hasSize(4).allMatch(l -> l.startsWith("usage: PlaneDump"));
    }

    @Test
    void deviceErrorsExitOneWithOneLine() {
        assertThat(run("nope:x")).isEqualTo(1);
        assertThat(err().lines()).containsExactly(
                "PlaneDump: no device provider for scheme 'nope' in 'nope:x' (known schemes: fake, vm, libvirt, fd)");
    }
}
