package dev.raftkv.transport;

import dev.raftkv.transport.HandshakeFrames.Challenge;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class HandshakeTest {
    private final Handshake a = new Handshake("a", Set.of("b", "c"), "s3cret", () -> "cluster-1");
    private final Handshake b = new Handshake("b", Set.of("a", "c"), "s3cret", () -> "cluster-1");

    @Test
    void bothSidesProveWithTheSameCookieAndTheProofsDiffer() {
        Hello hello = a.hello("b");
        assertThat(b.refusal(hello)).isNull();
        Challenge challenge = b.challenge();
        assertThat(a.refusal("b", challenge)).isNull();
        assertThat(Handshake.matches(b.clientProof(hello, challenge), a.clientProof(hello, challenge))).isTrue();
        assertThat(Handshake.matches(a.serverProof(hello, challenge), b.serverProof(hello, challenge))).isTrue();
        // a server's proof is no client's: a stranger cannot reflect one side's proof back as the other's
        assertThat(a.clientProof(hello, challenge)).isNotEqualTo(a.serverProof(hello, challenge));
    }

    @Test
    void aProofDependsOnTheCookieAndOnBothNonces() {
        Handshake guesser = new Handshake("a", Set.of("b"), "s3creT", () -> "cluster-1");
        Hello hello = a.hello("b");
        Challenge challenge = b.challenge();
        assertThat(guesser.clientProof(hello, challenge)).isNotEqualTo(b.clientProof(hello, challenge));
        // the same peers again, with fresh nonces: an old proof does not fit
        assertThat(a.clientProof(a.hello("b"), b.challenge())).isNotEqualTo(a.clientProof(hello, challenge));
        assertThat(a.clientProof(hello, b.challenge())).isNotEqualTo(a.clientProof(hello, challenge));
    }

    @Test
    void noFrameOfTheHandshakeHoldsTheCookie() {
        assertThat(a.hello("b").toString()).doesNotContain("s3cret");
        assertThat(new String(a.clientProof(a.hello("b"), b.challenge()), java.nio.charset.StandardCharsets.ISO_8859_1))
                .doesNotContain("s3cret");
    }

    @Test
    void refusesUnknownIdsItsOwnIdAndAHelloMeantForAnotherNode() {
        assertThat(b.refusal(new Hello("cluster-1", "mallory", "b", Handshake.nonce(), 1L))).contains("unknown node id mallory");
        assertThat(b.refusal(new Hello("cluster-1", "b", "b", Handshake.nonce(), 1L))).contains("own id");
        assertThat(b.refusal(new Hello("cluster-1", "a", "c", Handshake.nonce(), 1L))).contains("this is node b, not c");
        assertThat(a.refusal("b", new Challenge("cluster-1", "c", Handshake.nonce(), 1L))).contains("dialed b but node c answered");
    }

    @Test
    void refusesAPeerOfAnotherClusterBothWays() {
        assertThat(b.refusal(new Hello("cluster-2", "a", "b", Handshake.nonce(), 1L))).contains("cluster-2", "cluster-1");
        assertThat(a.refusal("b", new Challenge("cluster-2", "b", Handshake.nonce(), 1L))).contains("cluster-2", "cluster-1");
        Handshake unjoined = new Handshake("b", Set.of("a"), "s3cret", () -> "");
        assertThat(unjoined.refusal(a.hello("b"))).contains("not joined a cluster yet");
    }
}
