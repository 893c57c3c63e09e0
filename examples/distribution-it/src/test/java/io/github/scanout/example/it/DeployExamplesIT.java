package io.github.scanout.example.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example bundles hot-deployed into a running distribution: nothing is restarted, the
 * bundle jar is dropped into deploy/ while Scanout runs with configurations already waiting in
 * conf/.
 */
class DeployExamplesIT {
    @TempDir
    Path work;

    @Test
    void aVendorBufferTypeDroppedIntoDeployShowsFramesWithoutARestart() throws Exception {
        Path shots = Files.createDirectories(work.resolve("shots"));
        try (RunningScanout scanout = RunningScanout.start(work)) {
            scanout.configure("io.github.scanout.device-ring.cfg", "spec = ring:mdpy-vga\nname = ring\nbuffer.type = ring\n");
            scanout.configure("io.github.scanout.sink.file-ring.cfg", "device = ring\npath = " + shots + "\nmax.fps = 5\n");
            scanout.await("the ring device refused: no provider for ring: yet",
                    () -> scanout.log().contains("cannot open ring:mdpy-vga"));
            assertThat(pngs(shots)).isEmpty();

            RunningScanout.drop(Path.of(System.getProperty("vendor.jar")), scanout.deploy());
            scanout.await("frames read through the ring plane source", () -> scanout.log().contains("reading ring planes"));
            scanout.await("2 snapshots written", () -> pngs(shots).size() >= 2);
            BufferedImage shot = ImageIO.read(pngs(shots).get(0).toFile());
            assertThat(shot.getWidth()).isEqualTo(640);
            assertThat(shot.getHeight()).isEqualTo(480);
            assertThat(scanout.stop()).as(scanout.log()).isZero();
        }
    }

    @Test
    void anHttpSinkDroppedIntoDeployServesFramesOnLoopback() throws Exception {
        try (RunningScanout scanout = RunningScanout.start(work)) {
            scanout.configure("io.github.scanout.device-vm.cfg", "spec = sim:mdpy-vga\nname = vm\n");
            scanout.configure("io.github.scanout.sink.http-vm.cfg", "device = vm\nport = 0\n");
            RunningScanout.drop(Path.of(System.getProperty("http.jar")), scanout.deploy());
            Pattern serving = Pattern.compile("serving frames on http://127\\.0\\.0\\.1:(\\d+)/");
            scanout.await("the HTTP sink listening", () -> serving.matcher(scanout.log()).find());
            Matcher m = serving.matcher(scanout.log());
            assertThat(m.find()).isTrue();
            URI frame = URI.create("http://127.0.0.1:" + m.group(1) + "/frame.png");
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<byte[]>[] last = new HttpResponse[1];
            scanout.await("a frame served at " + frame, () -> {
                try {
                    last[0] = http.send(HttpRequest.newBuilder(frame).build(), HttpResponse.BodyHandlers.ofByteArray());
                    return last[0].statusCode() == 200;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            });
            BufferedImage image = ImageIO.read(new java.io.ByteArrayInputStream(last[0].body()));
            assertThat(image.getWidth()).isEqualTo(640);
            assertThat(image.getHeight()).isEqualTo(480);
            assertThat(scanout.stop()).as(scanout.log()).isZero();
        }
    }

    static List<Path> pngs(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".png")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
