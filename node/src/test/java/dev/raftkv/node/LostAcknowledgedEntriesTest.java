package dev.raftkv.node;

import dev.raftkv.client.KvClient;
import dev.raftkv.kv.KvCodec;
import dev.raftkv.kv.KvLimits;
import dev.raftkv.kv.KvResult;
import dev.raftkv.raft.HardState;
import dev.raftkv.raft.Role;
import dev.raftkv.raft.log.HardStateFile;
import dev.raftkv.raft.log.Syncer;
import dev.raftkv.raft.server.RaftServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue #10.2 over real disks and Netty: a follower's newest segment loses its last records although the
 * follower had acknowledged them (a disk that lied about fsync, a restored copy). Before the fix the leader
 * ignored the follower's rejections (their hint lay below the match it had recorded) and the follower never
 * received another entry, while it still looked like a healthy voter.
 */
class LostAcknowledgedEntriesTest {
    private static final InetSocketAddress ANY = new InetSocketAddress("127.0.0.1", 0);
    private static final int WRITES = 20;

    @TempDir
    Path dir;
    private final List<RaftkvNode> running = new ArrayList<>();
    private final Map<String, InetSocketAddress> raft = new java.util.HashMap<>();

    @AfterEach
    void stopAll() {
        running.forEach(RaftkvNode::close);
    }

    private NodeConfig config(String id) {
        return new NodeConfig(id, raft.get(id), ANY, ANY, Map.of(), Map.of(), Map.of(), dir.resolve(id), "cookie", 20, 10,
                10_000, KvLimits.DEFAULT, Duration.ofSeconds(10));
    }

    private RaftkvNode start(NodeConfig config) throws Exception {
        RaftkvNode node = RaftkvNode.start(config, RaftkvNode.NETTY);
        running.add(node);
        return node;
    }

    private void stop(RaftkvNode node) {
        node.close();
        running.remove(node);
    }

    private static RaftServer.Status status(RaftkvNode n) throws Exception {
        return n.server().status().get();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** n1, n2, n3 with WRITES values written and applied everywhere. */
    private RaftkvNode[] clusterWithWrites() throws Exception {
        for (String id : List.of("n1", "n2", "n3")) raft.put(id, new InetSocketAddress("127.0.0.1", freePort()));
        RaftkvNode n1 = start(config("n1").withBootstrap());
        await().atMost(Duration.ofSeconds(10)).until(() -> status(n1).role() == Role.LEADER && status(n1).commitIndex() >= 2);
        List<String> join = List.of("127.0.0.1:" + n1.httpPort());
        RaftkvNode n2 = start(config("n2").withJoin(join));
        n2.joined().get();
        RaftkvNode n3 = start(config("n3").withJoin(join));
        n3.joined().get();
        write(n1, 0, WRITES);
        await().atMost(Duration.ofSeconds(10)).until(() -> status(n3).appliedIndex() == status(n1).commitIndex());
        return new RaftkvNode[]{n1, n2, n3};
    }

    private static void write(RaftkvNode to, int from, int until) throws Exception {
        try (KvClient client = new KvClient(List.of(new InetSocketAddress("127.0.0.1", to.clientPort())))) {
            for (int i = from; i < until; i++) client.put("k" + i, ("value " + i).getBytes(StandardCharsets.UTF_8)).get();
        }
    }

    /** Cuts {@code bytes} off the end of the newest segment: its last records are gone, as a lying disk loses them. */
    private void cutNewestSegment(String id, long bytes) throws IOException {
        Path newest;
        try (Stream<Path> s = Files.list(dir.resolve(id).resolve("log"))) {
            newest = s.filter(p -> p.getFileName().toString().matches("\\d{20}.*")).max(Path::compareTo).orElseThrow();
        }
        try (FileChannel ch = FileChannel.open(newest, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - bytes);
        }
    }

    private static void assertHoldsEveryWrite(RaftkvNode node, int writes) throws Exception {
        for (int i = 0; i < writes; i++) {
            Object read = node.server().readLocal(KvCodec.encodeGet("k" + i)).get();
            assertThat(read).as("k" + i).isInstanceOf(KvResult.Value.class);
            assertThat(new String(((KvResult.Value) read).value(), StandardCharsets.UTF_8)).isEqualTo("value " + i);
        }
    }

    /**
     * The reproduction: the follower's hint is older than what it lost, so only the leader can tell.
     * It resets the follower's progress and replicates to it again.
     */
    @Test
    void aFollowerWhoseDiskLostAcknowledgedRecordsIsCaughtUpAgain() throws Exception {
        RaftkvNode[] n = clusterWithWrites();
        HardStateFile meta = new HardStateFile(dir.resolve("n3"), Syncer.FSYNC);
        stop(n[2]);
        HardState hs = meta.read();
        meta.write(new HardState(hs.term(), hs.votedFor(), 1)); // an old hint: n3 itself cannot notice
        cutNewestSegment("n3", 300);
        RaftkvNode back = start(config("n3"));
        assertThat(status(back).appliedIndex()).as("n3 lost records").isLessThan(status(n[0]).commitIndex());
        write(n[0], WRITES, WRITES + 1);
        await().atMost(Duration.ofSeconds(20)).until(() -> status(back).appliedIndex() >= status(n[0]).commitIndex());
        assertHoldsEveryWrite(back, WRITES + 1);
        assertThat(status(n[0]).matchIndex()).containsEntry("n3", status(n[0]).commitIndex());
    }

    /**
     * The node's own durable commit hint lies past what its log holds: it knows it lost committed entries, says
     * so in its status, and does not vote until a leader gave them back.
     */
    @Test
    void aNodeThatLostCommittedEntriesSaysSoAndIsRepairedByTheLeader() throws Exception {
        RaftkvNode[] n = clusterWithWrites();
        long committed = status(n[0]).commitIndex();
        HardStateFile meta = new HardStateFile(dir.resolve("n3"), Syncer.FSYNC);
        await().atMost(Duration.ofSeconds(10)).until(() -> meta.read().commit() >= committed); // refreshed once per timeout
        for (RaftkvNode node : n) stop(node);
        cutNewestSegment("n3", 300);

        RaftkvNode n3 = start(config("n3"));
        RaftServer.Status alone = status(n3);
        assertThat(alone.repairing()).as("n3 knows it lost committed entries").isTrue();
        assertThat(alone.commitIndex()).isLessThan(committed);
        // written with the node's first hard state, which its log writer makes durable soon after the start
        await("the repair flag made durable").atMost(Duration.ofSeconds(10))
                .until(() -> new HardStateFile(dir.resolve("n3"), Syncer.FSYNC).read().repairing());

        RaftkvNode n1 = start(config("n1"));
        RaftkvNode n2 = start(config("n2"));
        await().atMost(Duration.ofSeconds(20)).until(() -> !status(n3).repairing() && status(n3).appliedIndex() >= committed);
        assertHoldsEveryWrite(n3, WRITES);
        RaftkvNode leader = status(n1).role() == Role.LEADER ? n1 : n2;
        assertThat(status(leader).repairingPeers()).isEmpty();
    }
}
