package io.github.scanout.core.internal.borrow;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.github.scanout.api.DeviceException;

/**
 * Fuzzes the parser of libvirt's live status file, {@link LibvirtStatus#parse}, which
 * {@code libvirt:DOMAIN} reads from {@code /run/libvirt/qemu/DOMAIN.xml}.
 *
 * <p>Input: the file's bytes.
 *
 * <p>Contract: a {@link LibvirtStatus} (its lists never null, every mdev lower case) or a
 * {@link DeviceException} with a one-line message; nothing else escapes.
 */
class LibvirtStatusFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void parse(byte[] data) {
        try {
            LibvirtStatus s = LibvirtStatus.parse(data, "fuzz.xml");
            assertThat(s.dbus()).isNotNull();
            assertThat(s.mdevs()).allSatisfy(u -> assertThat(u).isLowerCase());
        } catch (DeviceException e) {
            assertThat(e.getMessage()).isNotBlank().doesNotContain("\n");
        }
    }
}
