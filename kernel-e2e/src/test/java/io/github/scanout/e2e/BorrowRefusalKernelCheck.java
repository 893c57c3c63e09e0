package io.github.scanout.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.scanout.api.BufferType;
import io.github.scanout.api.PlaneType;
import io.github.scanout.api.device.GfxDevice;
import io.github.scanout.api.device.MappedMemory;
import io.github.scanout.core.Devices;
import io.github.scanout.core.MdevInfo;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Borrowing as an unprivileged user on the real kernel (the guest suite runs this class as uid
 * 1000 without capabilities): a VMM of the same uid lends its device; a VMM of root
 * ({@code scanout.e2e.rootvmm}, started by the guest suite on a second mdpy mdev,
 * {@code scanout.e2e.mdpy2}) is refused with the documented message. Not run by Maven (see
 * {@link BorrowKernelCheck}).
 */
class BorrowRefusalKernelCheck {

    @Test
    void anUnprivilegedScanoutBorrowsFromAVmmOfItsOwnUid() throws Exception {
        BorrowKernelCheck helper = new BorrowKernelCheck();
        Process vmm = helper.vmm("paint", BorrowKernelCheck.uuid());
        try (GfxDevice d = new Devices().open("vm:" + vmm.pid())) {
            d.queryPlane(BufferType.REGION, PlaneType.PRIMARY).orElseThrow();
            try (MappedMemory m = d.mapRegion(BorrowKernelCheck.REGION)) {
                assertThat(BorrowKernelCheck.wrongPixels(m.view(0, BorrowKernelCheck.H * BorrowKernelCheck.STRIDE))).isZero();
            }
        } finally {
            vmm.destroyForcibly();
            vmm.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void aVmmOfAnotherUserIsRefusedWithTheDocumentedMessage() throws Exception {
        String pid = System.getProperty("scanout.e2e.rootvmm");
        String uuid = System.getProperty("scanout.e2e.mdpy2");
        assertThat(pid).as("the guest suite starts a root VMM for this test").isNotNull();
        Devices devices = new Devices();
        assertThatThrownBy(() -> devices.open("vm:" + pid)).hasMessage("cannot look at the fds of process " + pid
                + " (/proc/" + pid + "/fd: permission denied; reading them needs the same uid, and Yama's ptrace_scope"
                + " allowing it, or CAP_SYS_PTRACE)");
        MdevInfo mdev = devices.list().stream().filter(m -> m.uuid().equals(uuid)).findFirst().orElseThrow();
        List<String> report = devices.holders(mdev);
        System.out.println("scanout-e2e: unprivileged scanout devices says " + report);
        assertThat(report.get(0)).startsWith("held by no process that Scanout can see (")
                .contains("could not be looked at: run as root to see a VMM of another user)");
    }
}
