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
 * {@code systemd-analyze verify}; the unpacked {@code scanout --version} runs; and it installs
 * with {@code dpkg -i} into a root of its own and purges.
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

    /**
     * {@code dpkg -i} of the package into a root of its own ({@code dpkg --root=DIR
     * --force-script-chrootless}): the maintainer scripts see {@code DPKG_ROOT} and make the
     * {@code scanout} system user in that root's {@code /etc} (useradd/groupadd {@code --root},
     * which chroot: the test runs as root, as CI does), touching nothing of this machine; the
     * installed {@code scanout --version} runs; {@code dpkg -P} removes the files again. Dependencies
     * (a JRE, adduser, systemd) are this machine's, not the empty root's, hence
     * {@code --force-depends}.
     */
    @Test
    void thePackageInstallsIntoAnotherRootAndPurges() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(LeastPrivilegeIT.uid() == 0,
                "dpkg --root runs useradd --root, which needs root (CI runs as root)");
        Path root = dir.resolve("dpkg-root");
        Files.createDirectories(root.resolve("var/lib/dpkg/info"));
        Files.createDirectories(root.resolve("var/lib/dpkg/updates"));
        Files.createFile(root.resolve("var/lib/dpkg/status"));
        Files.createDirectories(root.resolve("etc"));
        Files.writeString(root.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
        Files.writeString(root.resolve("etc/group"), "root:x:0:\n");
        Files.writeString(root.resolve("etc/shadow"), "root:*:19000:0:99999:7:::\n");
        Files.writeString(root.resolve("etc/gshadow"), "root:*::\n");
        String hostPasswd = Files.readString(Path.of("/etc/passwd"));
        String hostGroup = Files.readString(Path.of("/etc/group"));

        Ran install = run(List.of("dpkg", "--root=" + root, "--force-script-chrootless", "--force-depends", "-i",
                deb().toString()));
        assertThat(install.code()).as(install.out()).isZero();
        Ran status = run(List.of("dpkg", "--root=" + root, "-s", "scanout"));
        assertThat(status.out()).contains("Status: install ok installed");
        assertThat(Files.readString(root.resolve("etc/passwd")))
                .containsPattern("(?m)^scanout:x:\\d+:\\d+:Scanout service:/var/lib/scanout:/usr/sbin/nologin$");
        assertThat(Files.readString(root.resolve("etc/group"))).containsPattern("(?m)^scanout:x:\\d+:");
        assertThat(Files.readString(Path.of("/etc/passwd"))).as("this machine's users are untouched").isEqualTo(hostPasswd);
        assertThat(Files.readString(Path.of("/etc/group"))).isEqualTo(hostGroup);
        assertThat(root.resolve("etc/scanout/README.txt")).isRegularFile();
        assertThat(root.resolve("lib/udev/rules.d/70-scanout.rules")).isRegularFile();

        ProcessBuilder pb = new ProcessBuilder(root.resolve("opt/scanout/bin/scanout").toString(), "--version")
                .redirectErrorStream(true);
        pb.environment().put("SCANOUT_CACHE", dir.resolve("cache").toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(out.strip()).startsWith("scanout ");

        // a second configure (a reinstall) finds the user and makes no second one
        Ran again = run(List.of("dpkg", "--root=" + root, "--force-script-chrootless", "--force-depends", "-i",
                deb().toString()));
        assertThat(again.code()).as(again.out()).isZero();
        assertThat(Files.readString(root.resolve("etc/passwd")).lines().filter(l -> l.startsWith("scanout:"))).hasSize(1);

        Ran purge = run(List.of("dpkg", "--root=" + root, "--force-script-chrootless", "-P", "scanout"));
        assertThat(purge.code()).as(purge.out()).isZero();
        assertThat(root.resolve("opt/scanout")).doesNotExist();
        assertThat(root.resolve("lib/udev/rules.d/70-scanout.rules")).doesNotExist();
    }
}
