package io.github.scanout.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * SECURITY.md's claim that a user without the VFIO group gets EACCES and a clear message: the
 * guest suite runs this class as uid 1000 with no supplementary group and no capabilities, after
 * giving the VFIO nodes (the container, the groups, the cdevs, {@code /dev/iommu}) to group 1001
 * with mode 0660. The built distribution's {@code bin/scanout} ({@code scanout.e2e.scanout}, a copy
 * the user can read) then says, for the mdpy mdev ({@code scanout.e2e.mdpy}):
 * <ul>
 *   <li>{@code scanout devices}: exit 0, the mdev listed, and that a direct open "is not allowed
 *       (NODE is not readable and writable to this user)";</li>
 *   <li>{@code scanout run --device UUID}: exit 1, nothing written, and one last line
 *       {@code scanout: device UUID failed: cannot open UUID: permission denied on /dev/...}, naming the node
 *       (the container {@code /dev/vfio/vfio} on the legacy path, the cdev or {@code /dev/iommu}
 *       on the cdev path), with no stack trace.</li>
 * </ul>
 * Not run by Maven (see {@link BorrowKernelCheck}); it needs the guest.
 */
class NoVfioGroupKernelCheck {
    /** A JVM and Felix under TCG are slow: generous bounds for a broken run, not speed limits. */
    static final long WAIT_S = 400;

    static String scanout;
    static String mdpy;

    @BeforeAll
    static void setUp() {
        scanout = System.getProperty("scanout.e2e.scanout");
        mdpy = System.getProperty("scanout.e2e.mdpy");
        assertThat(scanout).as("the guest suite names a bin/scanout this user can run").isNotNull();
        assertThat(mdpy).as("the guest suite names the mdpy mdev").isNotNull();
    }

    record Result(int code, String out, String err) {
        @Override
        public String toString() {
            return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    static Result scanout(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(scanout));
        cmd.addAll(List.of(args));
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        Path cache = Files.createTempDirectory(tmp, "nogroup-cache");
        Path out = Files.createTempFile(tmp, "nogroup", ".out");
        Path err = Files.createTempFile(tmp, "nogroup", ".err");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(tmp.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().put("SCANOUT_CACHE", cache.toString());
        pb.environment().put("SCANOUT_CDS", "off");
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().remove("XDG_RUNTIME_DIR");
        Process p = pb.start();
        p.getOutputStream().close();
        if (!p.waitFor(WAIT_S, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
            throw new AssertionError("scanout " + String.join(" ", args) + " did not end within " + WAIT_S + " s: "
                    + Files.readString(err, StandardCharsets.UTF_8));
        }
        Result r = new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
        System.out.println("scanout-e2e: without the VFIO group, scanout " + String.join(" ", args) + ": " + r);
        return r;
    }

    @Test
    void theUserIsReallyWithoutTheGroup() throws Exception {
        String status = Files.readString(Path.of("/proc/self/status"));
        assertThat(status).containsPattern("(?m)^Groups:\\s*$");
        assertThat(Files.isWritable(Path.of("/dev/vfio/vfio"))).as("/dev/vfio/vfio is not writable to this user")
                .isFalse();
    }

    @Test
    void scanoutDevicesSaysADirectOpenIsNotAllowed() throws Exception {
        Result r = scanout("devices");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).as(r.toString()).contains(mdpy)
                .containsPattern("a direct open \\(--device " + mdpy + "\\) is not allowed \\(/dev/vfio/(devices/vfio)?[0-9]+"
                        + " is not readable and writable to this user\\)");
    }

    @Test
    void scanoutRunFailsWithEaccesAndTheDocumentedMessage() throws Exception {
        Path shots = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "nogroup-shots");
        Result r = scanout("run", "--device", mdpy, "--sink", "file:" + shots, "--duration", "30", "--timeout", "300");
        assertThat(r.code()).as(r.toString()).isEqualTo(1);
        try (var files = Files.list(shots)) {
            assertThat(files.count()).as("nothing written").isZero();
        }
        String[] lines = r.err().strip().split("\n");
        assertThat(lines[lines.length - 1]).as(r.toString())
                .matches("scanout: device " + mdpy + " failed: cannot open " + mdpy + ": permission denied on"
                        + " /dev/(vfio/vfio|vfio/[0-9]+"
                        + "|vfio/devices/vfio[0-9]+|iommu)\\b.*");
        assertThat(r.err()).as("no stack trace").doesNotContain("\tat ").doesNotContain("Exception in thread");
    }
}
