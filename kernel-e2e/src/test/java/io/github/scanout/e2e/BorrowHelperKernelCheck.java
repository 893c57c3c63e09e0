package io.github.scanout.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.scanout.api.BufferType;
import io.github.scanout.api.PlaneInfo;
import io.github.scanout.api.PlaneType;
import io.github.scanout.api.device.GfxDevice;
import io.github.scanout.api.device.MappedMemory;
import io.github.scanout.core.Devices;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Least privilege on the real kernel: root runs the borrow helper ({@code bin/scanout-borrow
 * --socket SOCKET --group G}) and a VMM of its own that paints the second mdpy mdev; Scanout runs
 * as uid 1000 without any capability (the guest suite runs this class with {@code setpriv}), has
 * no right over the VMM, and reads the VM's exact picture through the helper
 * ({@code vm:PID?via=SOCKET}). Properties: {@code scanout.e2e.helper} (the socket),
 * {@code scanout.e2e.rootvmm} (the root VMM's PID), {@code scanout.e2e.mdpy2} (its mdev),
 * {@code scanout.e2e.scanout} (bin/scanout). Not run by Maven (see {@link BorrowKernelCheck}).
 */
class BorrowHelperKernelCheck {
    private static final Pattern STATUS = Pattern.compile("(?m)^(Uid|CapEff|CapPrm):\\s+(\\S+)");

    static String property(String name) {
        String v = System.getProperty(name);
        assertThat(v).as("the guest suite sets " + name).isNotNull();
        return v;
    }

    /** Uid and capabilities of a process, from /proc/PID/status. */
    static String credentials(long pid) throws Exception {
        Matcher m = STATUS.matcher(Files.readString(Path.of("/proc/" + pid + "/status"), StandardCharsets.US_ASCII));
        StringBuilder b = new StringBuilder();
        while (m.find()) {
            b.append(m.group(1)).append('=').append(m.group(2)).append(' ');
        }
        return b.toString().trim();
    }

    @Test
    void thisScanoutHasNoRightOverTheVmm() throws Exception {
        String pid = property("scanout.e2e.rootvmm");
        assertThat(credentials(ProcessHandle.current().pid())).as("this process")
                .isEqualTo("Uid=1000 CapPrm=0000000000000000 CapEff=0000000000000000");
        assertThatThrownBy(() -> Files.list(Path.of("/proc", pid, "fd")).close())
                .isInstanceOf(AccessDeniedException.class);
    }

    @Test
    void readsTheRootVmmsExactPictureThroughTheHelperByUuid() throws Exception {
        String spec = "vm:" + property("scanout.e2e.mdpy2") + "?via=" + property("scanout.e2e.helper");
        try (GfxDevice d = new Devices().open(spec)) {
            PlaneInfo p = d.queryPlane(BufferType.REGION, PlaneType.PRIMARY).orElseThrow();
            assertThat(p.width()).isEqualTo(BorrowKernelCheck.W);
            assertThat(p.height()).isEqualTo(BorrowKernelCheck.H);
            try (MappedMemory m = d.mapRegion(BorrowKernelCheck.REGION)) {
                assertThat(BorrowKernelCheck.wrongPixels(m.view(0, BorrowKernelCheck.H * BorrowKernelCheck.STRIDE)))
                        .as("wrong pixels of " + BorrowKernelCheck.W * BorrowKernelCheck.H).isZero();
            }
            assertThatThrownBy(d::reset).hasStackTraceContaining("Scanout only observes a borrowed device");
        }
    }

    /**
     * {@code scanout run --device 'vm:PID?via=SOCKET' --sink file:DIR}, unprivileged: the exact
     * picture, and the run itself holds no capability either.
     */
    @Test
    void scanoutRunThroughTheHelperWritesTheExactPicture() throws Exception {
        String pid = property("scanout.e2e.rootvmm");
        ScanoutRun run = ScanoutRun.start("vm:" + pid + "?via=" + property("scanout.e2e.helper"), 20);
        try {
            Path first = run.awaitFirstPicture();
            String creds = credentials(run.process.pid());
            System.out.println("scanout-e2e: scanout run through the helper: " + creds);
            assertThat(creds).isEqualTo("Uid=1000 CapPrm=0000000000000000 CapEff=0000000000000000");
            assertThat(run.awaitExit()).as("exit status of scanout run\n" + run.said()).isZero();
            assertThat(ScanoutRun.wrongPixels(first)).as("wrong pixels of " + first).isZero();
        } finally {
            run.stop();
        }
    }
}
