package io.github.scanout.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.Errno;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

final class Expect {
    private Expect() {}

    /** The call fails with a DeviceException carrying {@code errno}. */
    static DeviceException errno(Errno errno, ThrowingCallable call) {
        DeviceException[] caught = new DeviceException[1];
        assertThatThrownBy(call).isInstanceOfSatisfying(DeviceException.class, e -> {
            assertThat(Errno.name(e.errno())).as(e.getMessage()).isEqualTo(errno.name());
            caught[0] = e;
        });
        return caught[0];
    }
}
