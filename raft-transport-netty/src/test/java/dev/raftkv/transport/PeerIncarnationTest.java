package dev.raftkv.transport;

import dev.raftkv.raft.Message;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A peer that dials us as a new incarnation restarted: our connection to it reaches the process that is gone,
 * and may still look up (seen in FarFollowerCatchUpTest: a leader wrote into its connection to a restarted
 * follower's old incarnation for a minute, and the follower heard nothing). The transport drops that
 * connection before it answers the new incarnation's handshake, so nothing sent afterwards goes there. A
 * peer that merely reconnects, with the incarnation our connection already reaches, changes nothing.
 */
class PeerIncarnationTest {
    private static final String COOKIE = "s3cret";
    private static final InetSocketAddress ANY_PORT = new InetSocketAddress("127.0.0.1", 0);

    private static final Message.Heartbeat HEARTBEAT = new Message.Heartbeat("a", "b", 1, 0, 1);

    /** "a" dials a fake "b" (of {@link FakeListener#INCARNATION}); then "b" dials "a" as {@code incarnation}. */
    private interface AfterBDials {
        void check(NettyTransport a, FakeListener oldB, int handshakeBytes) throws Exception;
    }

    private static void whenBDialsAs(long incarnation, AfterBDials then) throws Exception {
        try (FakeListener oldB = new FakeListener("b", COOKIE, "");
             NettyTransport a = NettyTransport.start("a", ANY_PORT, Map.of("b", oldB.address()), COOKIE, new RecordingSink())) {
            assertThat(oldB.answerOneHandshake()).isTrue();
            await().atMost(TransportContract.PATIENCE).until(() -> a.peerStats("b").connected());
            int handshakeBytes = oldB.captured().length;
            try (RawPeer b = new RawPeer(a.boundAddress())) {
                b.handshake("b", "a", "", COOKIE, incarnation);
                then.check(a, oldB, handshakeBytes);
            }
        }
    }

    @Test
    void aRestartedPeerIsNotSentAnythingOnTheConnectionToItsOldIncarnation() throws Exception {
        whenBDialsAs(FakeListener.INCARNATION + 1, (a, oldB, handshakeBytes) -> {
            a.send(HEARTBEAT);
            // a itself closes the old connection: were it open, this would wait out the patience and read the heartbeat
            oldB.drainUntilClosed();
            assertThat(oldB.captured()).hasSize(handshakeBytes);
        });
    }

    @Test
    void aPeerThatReconnectsAsTheSameIncarnationKeepsOurConnection() throws Exception {
        whenBDialsAs(FakeListener.INCARNATION, (a, oldB, handshakeBytes) -> {
            a.send(HEARTBEAT);
            Message received = new RaftCodec().decode(Unpooled.wrappedBuffer(oldB.nextFrame()));
            assertThat(received).isEqualTo(HEARTBEAT);
        });
    }
}
