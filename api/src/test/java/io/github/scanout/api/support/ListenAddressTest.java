package io.github.scanout.api.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ListenAddressTest {
    @Test
    void acceptsHostPortBracketedIpv6AndABarePort() {
        assertThat(ListenAddress.parse("127.0.0.1:5900", "x").getPort()).isEqualTo(5900);
        assertThat(ListenAddress.parse("5901", "x").getAddress().getHostAddress()).isEqualTo("127.0.0.1");
        assertThat(ListenAddress.parse(":0", "x").getPort()).isZero();
        assertThat(ListenAddress.parse("[::1]:9464", "x").getAddress().isLoopbackAddress()).isTrue();
    }

    @Test
    void refusesEachBadShapeWithWhatIsAccepted() {
        assertThatThrownBy(() -> ListenAddress.parse("[::1]", "127.0.0.1:5900"))
                .hasMessage("HOST:PORT, [IPv6]:PORT or PORT, for example 127.0.0.1:5900");
        assertThatThrownBy(() -> ListenAddress.parse("::1:5900", "x")).hasMessageContaining("IPv6 address in brackets");
        assertThatThrownBy(() -> ListenAddress.parse("127.0.0.1:70000", "x")).hasMessageStartingWith("a port from 0 to 65535");
        assertThatThrownBy(() -> ListenAddress.parse("h st:1", "x")).hasMessage("a host name or address before the ':'");
        assertThatThrownBy(() -> ListenAddress.parse("no-such-host.invalid:1", "x"))
                .isInstanceOf(ListenAddress.UnknownHost.class).hasMessage("host 'no-such-host.invalid' is not known");
    }
}
