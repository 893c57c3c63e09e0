package io.github.scanout.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The attached {@code scanout-VERSION.tar.gz}: unpacked with tar, it is the distribution under
 * {@code scanout-VERSION/}, with an executable launcher that runs, the systemd unit and the
 * optional bundle directories.
 */
class TarballIT {
    @TempDir
    Path dir;

    @Test
    void theTarballUnpacksToADistributionThatRuns() throws Exception {
        Path target = TestRuntime.dist().getParent();
        Path tarball;
        try (Stream<Path> s = Files.list(target)) {
            List<Path> found = s.filter(p -> p.getFileName().toString().matches("scanout-.+\\.tar\\.gz")).toList();
            assertThat(found).as("one scanout-VERSION.tar.gz in " + target).hasSize(1);
            tarball = found.get(0);
        }
        String version = tarball.getFileName().toString().replaceAll("^scanout-|\\.tar\\.gz$", "");
        Process tar = new ProcessBuilder("tar", "-xzf", tarball.toString(), "-C", dir.toString()).inheritIO().start();
        assertThat(tar.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(tar.exitValue()).isZero();
        Path home = dir.resolve("scanout-" + version);
        assertThat(home.resolve("bin/scanout")).isExecutable();
        assertThat(home.resolve("systemd/scanout.service")).isRegularFile();
        assertThat(home.resolve("lib/scanout-runtime.jar")).isRegularFile();
        assertThat(home.resolve("bundles/metrics/scanout-plugin-metrics.jar")).isRegularFile();
        assertThat(home.resolve("bundles/web/scanout-plugin-web.jar")).isRegularFile();
        assertThat(home.resolve("bundles/web/org.apache.felix.http.jetty.jar")).isRegularFile();
        assertThat(home.resolve("bundles/vnc")).isDirectory();
        assertThat(home.resolve("cache")).doesNotExist();
        ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/scanout").toString(), "--version").redirectErrorStream(true);
        pb.environment().put("SCANOUT_CACHE", dir.resolve("cache").toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(out.strip()).isEqualTo("scanout " + version);
    }
}
