package dev.raftkv.transport;

import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AddressesTest {

    @Test
    void parsesHostPortAndBracketedIpv6() {
        InetSocketAddress a = Addresses.parse("127.0.0.1:0");
        assertThat(a.getHostString()).isEqualTo("127.0.0.1");
        assertThat(a.getPort()).isZero();
        assertThat(Addresses.parse("node-2.example:7000").getHostString()).isEqualTo("node-2.example");
        assertThat(Addresses.parse("[::1]:7000").getHostString()).isEqualTo("::1");
    }

    @Test
    void refusesWhatIsNotHostPort() {
        for (String bad : new String[]{"localhost", ":7000", "host:", "host:http", "host:70000", "::1:7000"}) {
            assertThatThrownBy(() -> Addresses.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
