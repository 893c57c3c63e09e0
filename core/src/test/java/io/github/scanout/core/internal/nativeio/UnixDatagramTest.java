package io.github.scanout.core.internal.nativeio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.scanout.api.DeviceException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real AF_UNIX datagrams through the C library, as systemd's notify socket receives them. */
class UnixDatagramTest {
    @TempDir
    Path dir;

    @Test
    void aDatagramToAPathArrivesWhole() throws Exception {
        String path = dir.resolve("notify").toString();
        try (UnixDatagram.Receiver r = UnixDatagram.Receiver.bind(path)) {
            UnixDatagram.send(path, "READY=1\nSTATUS=1 device live: desk");
            UnixDatagram.send(path, "WATCHDOG=1");
            assertThat(r.receive(5000)).isEqualTo("READY=1\nSTATUS=1 device live: desk");
            assertThat(r.receive(5000)).isEqualTo("WATCHDOG=1");
            assertThat(r.receive(0)).isNull();
        }
    }

    @Test
    void anAbstractAddressStartsWithAnAt() throws Exception {
        String name = "@scanout-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        try (UnixDatagram.Receiver r = UnixDatagram.Receiver.bind(name)) {
            UnixDatagram.send(name, "STOPPING=1");
            assertThat(r.receive(5000)).isEqualTo("STOPPING=1");
        }
    }

    @Test
    void noListenerIsAnErrorNamingTheAddress() {
        String path = dir.resolve("nobody").toString();
        assertThatThrownBy(() -> UnixDatagram.send(path, "READY=1")).isInstanceOf(DeviceException.class)
                .hasMessageContaining("sendto " + path);
    }

    @Test
    void theAddressBytesAreASockaddrUn() {
        assertThat(UnixDatagram.sockaddr("/run/x")).containsExactly(1, 0, '/', 'r', 'u', 'n', '/', 'x', 0);
        assertThat(UnixDatagram.sockaddr("@ab")).containsExactly(1, 0, 0, 'a', 'b');
        assertThatThrownBy(() -> UnixDatagram.sockaddr("/" + "a".repeat(107)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("longer than 107 bytes");
        assertThatThrownBy(() -> UnixDatagram.sockaddr("")).isInstanceOf(IllegalArgumentException.class);
    }
}
