package io.github.scanout.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Debian package the build makes (src/deb/build-deb): unpacked with {@code dpkg-deb -x},
 * checked with {@code lintian} (with the package's own overrides) and, for its unit,
 * {@code systemd-analyze verify}; the unpacked {@code scanout --version} runs.
 */
class DebianPackageIT {
    @TempDir
    Path dir;

    record Ran(int code, String out) {}

    static Ran run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(300, TimeUnit.SECONDS)).as(cmd.toString()).isTrue();
        return new Ran(p.exitValue(), out);
    }

    static Path deb() throws IOException {
        Path target = TestRuntime.dist().getParent();
        try (Stream<Path> s = Files.list(target)) {
            List<Path> found = s.filter(p -> p.getFileName().toString().matches("scanout_.+_all\\.deb")).toList();
            assertThat(found).as("one scanout_VERSION_all.deb in " + target).hasSize(1);
            return found.get(0);
        }
    }

    @Test
    void thePackageUnpacksPassesLintianAndRuns() throws Exception {
        Path deb = deb();
        Path root = dir.resolve("root");
        Ran x = run(List.of("dpkg-deb", "-x", deb.toString(), root.toString()));
        assertThat(x.code()).as(x.out()).isZero();
        assertThat(root.resolve("opt/scanout/bin/scanout")).isExecutable();
        assertThat(Files.readSymbolicLink(root.resolve("opt/scanout/conf"))).isEqualTo(Path.of("/etc/scanout"));
        assertThat(Files.readSymbolicLink(root.resolve("usr/bin/scanout"))).isEqualTo(Path.of("/opt/scanout/bin/scanout"));
        assertThat(root.resolve("usr/share/man/man1/scanout.1.gz")).isRegularFile();
        String rules = Files.readString(root.resolve("lib/udev/rules.d/70-scanout.rules"));
        assertThat(rules).as("mediated devices only").contains("mdev_type").doesNotContain("KERNEL==\"vfio\"");
        Ran control = run(List.of("dpkg-deb", "-f", deb.toString(), "Package", "Architecture"));
        assertThat(control.out()).isEqualTo("Package: scanout\nArchitecture: all\n");

        Ran lintian = run(List.of("lintian", "--fail-on", "error,warning", deb.toString()));
        assertThat(lintian.code()).as(lintian.out()).isZero();

        Path unit = root.resolve("lib/systemd/system/scanout.service");
        Path copy = dir.resolve("scanout.service");
        Files.writeString(copy, Files.readString(unit).replace("/opt/scanout", root.resolve("opt/scanout").toString()));
        Ran verify = run(List.of("systemd-analyze", "verify", copy.toString()));
        assertThat(verify.code()).as(verify.out()).isZero();

        ProcessBuilder pb = new ProcessBuilder(root.resolve("opt/scanout/bin/scanout").toString(), "--version")
                .redirectErrorStream(true);
        pb.environment().put("SCANOUT_CACHE", dir.resolve("cache").toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(out.strip()).startsWith("scanout ");
        assertThat(p.exitValue()).isZero();
    }
}
