package io.github.scanout.core.internal.borrow;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The launcher's check of {@code vm:}, {@code libvirt:} and {@code fd:} specs: their form only. */
class BorrowSpecCheckTest {

    @Test
    void wellFormedSpecsPassWithoutLookingForTheVm() {
        for (String ok : new String[] {"vm:4242", "vm:4242/6a7e1f0c-0d4b-4c8e-9a1e-000000000001",
            "vm:6a7e1f0c-0d4b-4c8e-9a1e-000000000001", "libvirt:win11", "libvirt:win11/6a7e1f0c-0d4b-4c8e-9a1e-000000000001",
            "fd:3", "vm:1?edid=write"}) {
            assertThat(BorrowProviders.check(ok)).as(ok).isNull();
        }
    }

    @Test
    void malformedSpecsAreOneLine() {
        assertThat(BorrowProviders.check("vm:abc")).contains("is not a vm: spec");
        assertThat(BorrowProviders.check("vm:12/xyz")).contains("is not an mdev UUID");
        assertThat(BorrowProviders.check("libvirt:a..b")).contains("is not a libvirt: spec");
        assertThat(BorrowProviders.check("fd:1")).contains("is not an fd: spec");
        assertThat(BorrowProviders.check("vm:12?bogus=1")).isNotNull();
        assertThat(BorrowProviders.check("other:x")).contains("is not a vm:, libvirt: or fd: spec");
    }
}
