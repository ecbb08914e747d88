package dev.raftkv.transport;

import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class HandshakeTest {
    private final Handshake handshake = new Handshake("a", Set.of("b", "c"), "s3cret");

    @Test
    void acceptsAKnownPeerWithTheCookie() {
        assertThat(handshake.refusal(new Hello("b", "s3cret"))).isNull();
    }

    @Test
    void refusesAWrongCookieWithoutQuotingEitherCookie() {
        String reason = handshake.refusal(new Hello("b", "s3creT"));
        assertThat(reason).contains("cookie").doesNotContain("s3cre");
    }

    @Test
    void refusesUnknownIdsAndItsOwnId() {
        assertThat(handshake.refusal(new Hello("mallory", "s3cret"))).contains("unknown node id mallory");
        assertThat(handshake.refusal(new Hello("a", "s3cret"))).contains("own id");
    }

    @Test
    void helloToStringLeavesTheCookieOutOfLogs() {
        assertThat(new Hello("b", "s3cret").toString()).doesNotContain("s3cret");
    }
}
