package dev.raftkv.transport;

import dev.raftkv.raft.ClusterConfig;
import dev.raftkv.raft.Entry;
import dev.raftkv.raft.Message;
import dev.raftkv.raft.SnapshotMeta;
import dev.raftkv.raft.server.Snapshot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What only a real network transport has to get right: the handshake, hostile or broken input on the
 * port, and a peer too slow to keep up. Node "b" listens; "a" is a well-behaved peer, and RawPeer
 * plays everyone else.
 */
class NettyTransportTest {
    private static final String COOKIE = "the-cookie";
    private static final InetSocketAddress ANY_PORT = new InetSocketAddress("127.0.0.1", 0);

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final AtomicLong seq = new AtomicLong();
    private final RecordingSink bSink = new RecordingSink();

    @AfterEach
    void closeEverything() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) toClose.get(i).close();
    }

    private <T extends AutoCloseable> T closeLater(T c) {
        toClose.add(c);
        return c;
    }

    private NettyTransport startB(TransportOptions options) {
        return closeLater(NettyTransport.start("b", ANY_PORT, Map.of("a", unusedAddress()), COOKIE, bSink, options));
    }

    private NettyTransport startB() {
        return startB(TransportOptions.defaults());
    }

    private NettyTransport startA(NettyTransport b, String cookie) {
        return closeLater(NettyTransport.start("a", ANY_PORT, Map.of("b", b.boundAddress()), cookie, new RecordingSink()));
    }

    /** "a" never listens in these tests; b only needs to know the id. */
    private static InetSocketAddress unusedAddress() {
        return new InetSocketAddress("127.0.0.1", 1);
    }

    private Message.Heartbeat heartbeat(String from) {
        return new Message.Heartbeat(from, "b", 1, 0, seq.incrementAndGet());
    }

    /** The good peer still gets through: sends until b has a heartbeat from it sent after this call. */
    private void aStillGetsThrough(NettyTransport a) {
        long after = seq.get();
        await().atMost(TransportContract.PATIENCE).pollInterval(Duration.ofMillis(10)).untilAsserted(() -> {
            a.send(heartbeat("a"));
            assertThat(bSink.messages).anyMatch(m -> m instanceof Message.Heartbeat h && h.readSeq() > after);
        });
    }

    @Test
    void aWrongCookieIsRefusedAndNothingIsDelivered() {
        NettyTransport b = startB();
        NettyTransport a = startA(b, "not-the-cookie");

        await().atMost(TransportContract.PATIENCE).pollInterval(Duration.ofMillis(10)).untilAsserted(() -> {
            a.send(heartbeat("a"));
            assertThat(b.refusedHandshakes()).isPositive();
        });
        assertThat(bSink.messages).isEmpty();
    }

    @Test
    void aWrongProtocolVersionIsRefused() throws IOException {
        NettyTransport b = startB();
        try (RawPeer peer = new RawPeer(b.boundAddress())) {
            peer.hello("a", COOKIE, (byte) (WireFormat.VERSION + 1)).message(heartbeat("a")).awaitClosedByServer();
        }
        assertThat(b.refusedHandshakes()).isEqualTo(1);
        assertThat(bSink.messages).isEmpty();
    }

    @Test
    void anUnknownNodeIdIsRefusedAndToldWhy() throws IOException {
        NettyTransport b = startB();
        try (RawPeer peer = new RawPeer(b.boundAddress())) {
            peer.frame(new Hello("", "mallory", "b", Handshake.nonce(), 1L)::encode);
            assertThat(peer.readHandshakeFrame()).isEqualTo(new HandshakeFrames.Refusal("unknown node id mallory"));
            peer.awaitClosedByServer();
        }
        assertThat(b.refusedHandshakes()).isEqualTo(1);
        assertThat(bSink.messages).isEmpty();
    }

    @Test
    void garbageOnThePortClosesThatConnectionWhileAGoodPeerKeepsWorking() throws IOException {
        NettyTransport b = startB();
        NettyTransport a = startA(b, COOKIE);
        aStillGetsThrough(a);

        byte[] garbage = new byte[4096];
        new Random(42).nextBytes(garbage);
        try (RawPeer before = new RawPeer(b.boundAddress())) {
            before.write(garbage).awaitClosedByServer(); // in place of a hello
        }
        try (RawPeer after = new RawPeer(b.boundAddress())) {
            // a sane length, then a body no decoder accepts, after a good hello
            after.hello("a", COOKIE).writeInt(100).write(new byte[]{(byte) 0x7E}).write(new byte[99]);
            after.awaitClosedByServer();
        }
        try (RawPeer truncated = new RawPeer(b.boundAddress())) {
            truncated.hello("a", COOKIE).writeInt(1000).write(new byte[10]); // and then it hangs up mid-frame
        }
        aStillGetsThrough(a);
        assertThat(b.malformedFrameCloses()).isPositive();
    }

    @Test
    void beforeTheHandshakeNoFrameLargerThanAHelloIsAccepted() throws IOException {
        NettyTransport b = startB();
        try (RawPeer stranger = new RawPeer(b.boundAddress())) {
            // a well under the 32 MiB limit of a proven peer, but more than any hello
            stranger.writeInt(WireFormat.MAX_HANDSHAKE_FRAME_BYTES + 1).awaitClosedByServer();
        }
        assertThat(b.malformedFrameCloses()).isEqualTo(1);
        NettyTransport a = startA(b, COOKIE);
        aStillGetsThrough(a);
    }

    @Test
    void anOversizedLengthPrefixClosesTheConnection() throws IOException {
        NettyTransport b = startB(TransportOptions.defaults().withMaxFrameBytes(64 * 1024));
        try (RawPeer beforeHello = new RawPeer(b.boundAddress())) {
            beforeHello.writeInt(64 * 1024 + 1).awaitClosedByServer();
        }
        try (RawPeer afterHello = new RawPeer(b.boundAddress())) {
            afterHello.hello("a", COOKIE).message(heartbeat("a")).writeInt(Integer.MAX_VALUE).awaitClosedByServer();
        }
        assertThat(b.malformedFrameCloses()).isEqualTo(2);
        // what came before the bad length on the accepted connection was delivered
        assertThat(bSink.messages).hasSize(1);
    }

    @Test
    void aMessageWhoseSenderIsNotTheHandshakesIdIsDropped() throws IOException {
        NettyTransport b = startB();
        Message forged = new Message.Heartbeat("c", "b", 1, 0, 1);
        Message genuine = new Message.Heartbeat("a", "b", 1, 0, 2);
        Message misaddressed = new Message.Heartbeat("a", "z", 1, 0, 3);
        try (RawPeer peer = new RawPeer(b.boundAddress())) {
            peer.hello("a", COOKIE).message(forged).message(misaddressed).message(genuine);
            // one connection keeps order: once the genuine one is in, the others were judged
            await().atMost(TransportContract.PATIENCE).untilAsserted(() -> assertThat(bSink.messages).contains(genuine));
        }
        assertThat(bSink.messages).containsExactly(genuine);
    }

    @Test
    void aConnectionThatNeverSaysHelloIsClosed() throws IOException {
        NettyTransport b = startB(TransportOptions.defaults().withHandshakeTimeout(Duration.ofMillis(200)));
        try (RawPeer silent = new RawPeer(b.boundAddress())) {
            silent.awaitClosedByServer();
        }
        assertThat(b.refusedHandshakes()).isEqualTo(1);
    }

    @Test
    void aSnapshotOverTheReceiversLimitIsRefused() {
        NettyTransport b = startB(TransportOptions.defaults().withSnapshotLimits(64 * 1024, 1024 * 1024));
        NettyTransport a = startA(b, COOKIE);
        aStillGetsThrough(a);

        Snapshot big = Snapshot.ofBytes(new SnapshotMeta(9, 1, ClusterConfig.ofVoters("a", "b")), new byte[2 * 1024 * 1024]);
        a.sendSnapshot(new Message.InstallSnapshot("a", "b", 1, big.meta()), big);
        // b closes that connection at the begin frame; what a sends after it arrives only on a new one
        aStillGetsThrough(a);
        assertThat(bSink.snapshots).isEmpty();
    }

    @Test
    void aPeerThatStopsReadingGetsItsMessagesDroppedNotQueued() throws IOException {
        // a peer that completes the handshake and then never reads: the kernel buffers fill, then a's
        // outbound buffer reaches its high-water mark
        try (FakeListener stalled = new FakeListener("z", COOKIE, "")) {
            NettyTransport a = closeLater(NettyTransport.start("a", ANY_PORT, Map.of("z", stalled.address()), COOKIE,
                    new RecordingSink(), TransportOptions.defaults().withWriteBufferWaterMarks(64 * 1024, 128 * 1024)));
            Message.AppendEntries big = new Message.AppendEntries("a", "z", 1, 0, 0,
                    List.of(Entry.normal(1, 1, new byte[64 * 1024])), 0);

            assertThat(stalled.answerOneHandshake()).isTrue();
            await().atMost(TransportContract.PATIENCE).until(() -> a.peerStats("z").connected());
            await().atMost(TransportContract.PATIENCE).pollInterval(Duration.ofMillis(1)).untilAsserted(() -> {
                for (int i = 0; i < 16; i++) a.send(big);
                assertThat(a.peerStats("z").droppedBufferFull()).isPositive();
            });
        }
    }

    @Test
    void unencodableMessagesAreDroppedAndCounted() {
        NettyTransport b = startB();
        TransportOptions small = TransportOptions.defaults().withMaxFrameBytes(16 * 1024);
        NettyTransport a = closeLater(NettyTransport.start("a", ANY_PORT, Map.of("b", b.boundAddress()), COOKIE,
                new RecordingSink(), small));
        aStillGetsThrough(a);
        a.send(new Message.AppendEntries("a", "b", 1, 0, 0, List.of(Entry.normal(1, 1, new byte[32 * 1024])), 0));
        assertThat(a.peerStats("b").droppedUnencodable()).isEqualTo(1);
        aStillGetsThrough(a);
    }

    @Test
    void theBoundPortIsTheOneTheOsPicked() {
        NettyTransport b = startB();
        assertThat(b.boundPort()).isPositive();
        assertThat(b.boundAddress().getAddress().isLoopbackAddress()).isTrue();
    }
}
