package io.github.scanout.example.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The configuration sets of {@code examples/conf/} in a running distribution, as shipped except
 * that {@code /var/lib/scanout} becomes a temporary directory. ({@code watch-one-vm} needs a
 * display and is not run here.)
 */
class ConfExamplesIT {
    @TempDir
    Path work;

    /** Copies a set into conf/, its paths moved under {@code work/out} and its rates changed as {@code rates} says. */
    private void install(String set, RunningScanout scanout, String... rates) throws IOException {
        Path out = work.resolve("out");
        try (Stream<Path> files = Files.list(Path.of(System.getProperty("examples.conf"), set))) {
            for (Path f : files.sorted().toList()) {
                String text = Files.readString(f, StandardCharsets.ISO_8859_1).replace("/var/lib/scanout", out.toString());
                for (int i = 0; i + 1 < rates.length; i += 2) {
                    text = text.replace(rates[i], rates[i + 1]);
                }
                scanout.configure(f.getFileName().toString(), text);
            }
        }
    }

    @Test
    void recordOneVmToY4m() throws Exception {
        // as shipped
        Files.createDirectories(work.resolve("out"));
        Path y4m = work.resolve("out/vm1.y4m");
        try (RunningScanout scanout = RunningScanout.start(work)) {
            install("record-one-vm-y4m", scanout);
            scanout.await("10 frames in " + y4m, () -> frames(y4m) >= 10);
            assertThat(scanout.stop()).as(scanout.log()).isZero();
        }
        String header = new String(Files.readAllBytes(y4m), 0, 40, StandardCharsets.US_ASCII);
        assertThat(header).startsWith("YUV4MPEG2 W1024 H768 F30:1");
    }

    @Test
    void snapshotManyVms() throws Exception {
        for (int vm = 1; vm <= 3; vm++) {
            Files.createDirectories(work.resolve("out/snapshots/vm" + vm));
        }
        try (RunningScanout scanout = RunningScanout.start(work)) {
            // once a second instead of once a minute: a sink that asks for one frame a minute has its
            // device polled once a minute, and mbochs answers the first query of a mode with ENOMEM
            install("snapshot-many-vms", scanout, "maxFps = 0.0166667", "maxFps = 1");
            for (int vm = 1; vm <= 3; vm++) {
                Path dir = work.resolve("out/snapshots/vm" + vm);
                scanout.await("a snapshot in " + dir, () -> !DeployExamplesIT.pngs(dir).isEmpty());
            }
            assertThat(scanout.stop()).as(scanout.log()).isZero();
        }
    }

    private static long frames(Path y4m) {
        if (!Files.exists(y4m)) {
            return 0;
        }
        try {
            String text = new String(Files.readAllBytes(y4m), StandardCharsets.ISO_8859_1);
            return text.split("FRAME\n", -1).length - 1;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
