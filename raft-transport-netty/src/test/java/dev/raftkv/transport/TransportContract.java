package dev.raftkv.transport;

import dev.raftkv.raft.ClusterConfig;
import dev.raftkv.raft.Entry;
import dev.raftkv.raft.Message;
import dev.raftkv.raft.SnapshotMeta;
import dev.raftkv.raft.server.Snapshot;
import dev.raftkv.raft.server.Transport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.awaitility.Awaitility.await;

/**
 * What every {@link Transport} promises, run against each implementation (Ratis does the same): the
 * Netty one and the in-memory twin the cluster tests use must not differ in anything Raft relies on.
 *
 * <p>Delivery is best effort, so a test that needs a message through sends it until it arrives (a
 * fresh Netty connection drops what is sent while it is being opened); the read seq makes each send
 * distinct.
 */
abstract class TransportContract {
    static final Duration PATIENCE = Duration.ofSeconds(10);

    /** Starts node {@code id}; it can reach, and be reached by, every node this test starts, before or after. */
    protected abstract Transport start(String id, InboundSink sink);

    /** Takes node {@code id} down; it keeps its address, so starting it again is a restart. */
    protected abstract void stop(String id);

    /** Stops every node still running and frees what the implementation holds (threads, sockets). */
    protected abstract void stopAll();

    @AfterEach
    void cleanUp() {
        stopAll();
    }

    private final AtomicLong seq = new AtomicLong();

    private Message.Heartbeat heartbeat(String from, String to) {
        return new Message.Heartbeat(from, to, 1, 0, seq.incrementAndGet());
    }

    /** Sends heartbeats until one arrives: from then on the path is open. */
    void sendUntilDelivered(Transport from, String fromId, String toId, RecordingSink sink) {
        await().atMost(PATIENCE).pollInterval(Duration.ofMillis(10)).untilAsserted(() -> {
            from.send(heartbeat(fromId, toId));
            assertThat(sink.messages).anyMatch(m -> m instanceof Message.Heartbeat && m.from().equals(fromId));
        });
    }

    private static Snapshot snapshot(int bytes, long seed) {
        byte[] data = new byte[bytes];
        new Random(seed).nextBytes(data);
        return Snapshot.ofBytes(new SnapshotMeta(1000 + seed, 3, new ClusterConfig(
                java.util.Set.of("a", "b"), java.util.Set.of("c"))), data);
    }

    private static Message.InstallSnapshot install(String from, String to, Snapshot s) {
        return new Message.InstallSnapshot(from, to, 4, s.meta());
    }

    @Test
    void messagesReachTheAddressedNodeWithFromAndToIntact() {
        RecordingSink a = new RecordingSink();
        RecordingSink b = new RecordingSink();
        RecordingSink c = new RecordingSink();
        Transport ta = start("a", a);
        Transport tb = start("b", b);
        start("c", c);
        sendUntilDelivered(ta, "a", "b", b);
        sendUntilDelivered(ta, "a", "c", c);
        sendUntilDelivered(tb, "b", "a", a);

        Message toB = new Message.VoteRequest("a", "b", 7, 10, 6, false);
        Message toC = new Message.TimeoutNow("a", "c", 7);
        Message toA = new Message.VoteResponse("b", "a", 7, true);
        ta.send(toB);
        ta.send(toC);
        tb.send(toA);

        await().atMost(PATIENCE).untilAsserted(() -> {
            assertThat(b.messages).contains(toB);
            assertThat(c.messages).contains(toC);
            assertThat(a.messages).contains(toA);
        });
        assertThat(b.messages).allMatch(m -> m.from().equals("a") && m.to().equals("b"));
        assertThat(c.messages).allMatch(m -> m.from().equals("a") && m.to().equals("c"));
        assertThat(a.messages).allMatch(m -> m.from().equals("b") && m.to().equals("a"));
    }

    @Test
    void everyKindOfMessageArrivesEqualToWhatWasSent() {
        RecordingSink b = new RecordingSink();
        Transport ta = start("a", new RecordingSink());
        start("b", b);
        sendUntilDelivered(ta, "a", "b", b);
        b.clear();

        List<Message> all = List.of(
                new Message.PreVoteRequest("a", "b", 5, 40, 4),
                new Message.PreVoteResponse("a", "b", 5, false),
                new Message.VoteRequest("a", "b", 5, 40, 4, true),
                new Message.VoteResponse("a", "b", 5, true),
                new Message.AppendEntries("a", "b", 5, 40, 4,
                        List.of(Entry.noop(5, 41), Entry.normal(5, 42, "put k v".getBytes()),
                                Entry.normal(5, 43, new byte[100_000])), 39),
                new Message.AppendResponse("a", "b", 5, false, 40, 12),
                new Message.AppendResponse("a", "b", 5, true, 44, 0, -8_123_456_789L),
                new Message.Heartbeat("a", "b", 5, 39, 77),
                new Message.HeartbeatResponse("a", "b", 5, 77),
                new Message.HeartbeatResponse("a", "b", 5, 78, 42),
                new Message.Repaired("a", "b", 5, -8_123_456_789L, 44),
                new Message.TimeoutNow("a", "b", 5));
        all.forEach(ta::send);

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(b.messages).containsAll(all));
    }

    @Test
    void aSnapshotOfSeveralMiBArrivesWholeAndByteIdentical() {
        RecordingSink b = new RecordingSink();
        Transport ta = start("a", new RecordingSink());
        start("b", b);
        sendUntilDelivered(ta, "a", "b", b);

        Snapshot sent = snapshot(3 * 1024 * 1024 + 123, 1); // not a whole number of chunks
        Message.InstallSnapshot m = install("a", "b", sent);
        ta.sendSnapshot(m, sent);

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(b.snapshots).hasSize(1));
        RecordingSink.ReceivedSnapshot got = b.snapshots.get(0);
        assertThat(got.message()).isEqualTo(m);
        assertThat(got.snapshot().meta()).isEqualTo(sent.meta());
        assertThat(got.data()).isEqualTo(RecordingSink.bytes(sent));
    }

    @Test
    void anEmptySnapshotArrivesToo() {
        RecordingSink b = new RecordingSink();
        Transport ta = start("a", new RecordingSink());
        start("b", b);
        sendUntilDelivered(ta, "a", "b", b);

        Snapshot empty = snapshot(0, 2);
        ta.sendSnapshot(install("a", "b", empty), empty);

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(b.snapshots).hasSize(1));
        assertThat(b.snapshots.get(0).data()).isEmpty();
    }

    @Test
    void aNewerSnapshotReplacesOneStillOnItsWayAndNothingArrivesMixed() {
        RecordingSink b = new RecordingSink();
        Transport ta = start("a", new RecordingSink());
        start("b", b);
        sendUntilDelivered(ta, "a", "b", b);

        Snapshot older = snapshot(4 * 1024 * 1024, 3);
        Snapshot newer = snapshot(2 * 1024 * 1024 + 5, 4);
        ta.sendSnapshot(install("a", "b", older), older);
        ta.sendSnapshot(install("a", "b", newer), newer);

        // the older one may or may not make it; the newer one must, and each that arrives is whole
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(b.snapshots)
                .anyMatch(r -> r.snapshot().meta().equals(newer.meta())));
        for (RecordingSink.ReceivedSnapshot r : b.snapshots) {
            Snapshot expected = r.snapshot().meta().equals(newer.meta()) ? newer : older;
            assertThat(r.data()).isEqualTo(RecordingSink.bytes(expected));
        }
    }

    @Test
    void messagesToUnknownOrStoppedNodesAreDroppedWithoutAnException() {
        RecordingSink b = new RecordingSink();
        Transport ta = start("a", new RecordingSink());
        start("b", b);
        start("c", new RecordingSink());
        stop("c");

        assertThatCode(() -> {
            for (int i = 0; i < 20; i++) {
                ta.send(heartbeat("a", "ghost"));
                ta.send(heartbeat("a", "c"));
                Snapshot s = snapshot(10, 5);
                ta.sendSnapshot(install("a", "ghost", s), s);
                ta.sendSnapshot(install("a", "c", s), s);
            }
        }).doesNotThrowAnyException();
        sendUntilDelivered(ta, "a", "b", b); // and the live peer is unaffected
    }

    @Test
    void afterTheReceiverRestartsMessagesFlowAgain() {
        RecordingSink before = new RecordingSink();
        Transport ta = start("a", new RecordingSink());
        start("b", before);
        sendUntilDelivered(ta, "a", "b", before);

        stop("b");
        RecordingSink after = new RecordingSink();
        start("b", after);

        sendUntilDelivered(ta, "a", "b", after);
        Snapshot s = snapshot(1024 * 1024 + 1, 6);
        await().atMost(PATIENCE).untilAsserted(() -> {
            if (after.snapshots.isEmpty()) ta.sendSnapshot(install("a", "b", s), s);
            assertThat(after.snapshots).isNotEmpty();
        });
        assertThat(after.snapshots.get(0).data()).isEqualTo(RecordingSink.bytes(s));
    }

    @Test
    void anInstallSnapshotWithoutItsBytesIsNeverDelivered() {
        RecordingSink b = new RecordingSink();
        Transport ta = start("a", new RecordingSink());
        start("b", b);
        sendUntilDelivered(ta, "a", "b", b);

        Snapshot s = snapshot(10, 7);
        ta.send(install("a", "b", s)); // the server could not install it: only sendSnapshot carries bytes
        Message marker = new Message.TimeoutNow("a", "b", 99);
        ta.send(marker);

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(b.messages).contains(marker));
        assertThat(b.messages).noneMatch(m -> m instanceof Message.InstallSnapshot);
        assertThat(b.snapshots).isEmpty();
    }
}
