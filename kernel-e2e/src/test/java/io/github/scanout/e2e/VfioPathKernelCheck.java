package io.github.scanout.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.scanout.api.BufferType;
import io.github.scanout.api.device.GfxDevice;
import io.github.scanout.core.Resources;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Which VFIO path opened the device: the legacy container/group path on 6.1, the vfio cdev +
 * iommufd path on 6.12 (kernel-e2e/run with SCANOUT_E2E_SERIES=6.12). The fds the open leaves
 * behind say which: /dev/vfio/vfio and /dev/vfio/N, or /dev/vfio/devices/vfioN and /dev/iommu.
 *
 * <p>A kernel check (named so that the Maven build does not run it): only the guest of
 * kernel-e2e/run has a VFIO open path; the simulated devices have none.
 */
class VfioPathKernelCheck {

    @Test
    void theDeviceIsOpenedThroughTheExpectedVfioPath() throws Exception {
        assertThat(Target.real()).as("only a real kernel has a VFIO open path: this runs in the guest of kernel-e2e/run")
                .isTrue();
        String path = System.getProperty("scanout.e2e.path", "legacy");
        Map<Integer, String> before = Resources.fdSnapshot();
        try (GfxDevice dev = Target.openMdpy()) {
            assertThat(dev.probe(BufferType.REGION)).isTrue();
            Map<Integer, String> opened = Resources.fdsOpenedSince(before);
            if (path.equals("cdev")) {
                assertThat(opened.values()).anyMatch(t -> t.startsWith("/dev/vfio/devices/vfio"));
                assertThat(opened.values()).contains("/dev/iommu");
                assertThat(opened.values()).doesNotContain("/dev/vfio/vfio");
            } else {
                assertThat(opened.values()).contains("/dev/vfio/vfio");
                assertThat(opened.values()).anyMatch(t -> t.matches("/dev/vfio/[0-9]+"));
            }
        }
    }
}
