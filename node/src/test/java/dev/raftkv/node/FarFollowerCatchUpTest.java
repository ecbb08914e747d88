package dev.raftkv.node;

import dev.raftkv.client.KvClient;
import dev.raftkv.kv.KvCodec;
import dev.raftkv.kv.KvLimits;
import dev.raftkv.kv.KvResult;
import dev.raftkv.raft.Role;
import dev.raftkv.raft.server.RaftServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue #10.1: a follower that was down while 100 MB of 1 MiB values were written catches up, over the
 * real Netty transport: from the leader's log, and through a snapshot once the leader compacted past it.
 * While AppendEntries were sliced by entry count alone, the leader sent up to 256 such entries at once,
 * the transport refused each attempt ("AppendEntries carries 24001527 bytes of entry data, limit
 * 16777216"), and the follower never caught up. Eight keys take the values in turn, so each state
 * machine holds 8 MiB; the logs are what grows.
 */
class FarFollowerCatchUpTest {
    private static final int MIB = 1024 * 1024;
    private static final int VALUES = 100;
    private static final int KEYS = 8;
    private static final InetSocketAddress ANY = new InetSocketAddress("127.0.0.1", 0);

    @TempDir
    Path dir;
    private final List<RaftkvNode> running = new ArrayList<>();

    @AfterEach
    void stopAll() {
        running.forEach(RaftkvNode::close);
    }

    private NodeConfig config(String id, InetSocketAddress raft, long snapshotEveryBytes) {
        return new NodeConfig(id, raft, ANY, ANY, Map.of(), Map.of(), Map.of(), dir.resolve(id), "cookie", 20, 10, 10_000,
                KvLimits.DEFAULT, Duration.ofSeconds(10)).withSnapshotEveryBytes(snapshotEveryBytes);
    }

    private RaftkvNode start(NodeConfig config) throws Exception {
        RaftkvNode node = RaftkvNode.start(config, RaftkvNode.NETTY);
        running.add(node);
        return node;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static byte[] value(int i) {
        byte[] v = new byte[MIB];
        Arrays.fill(v, (byte) i);
        return v;
    }

    private static RaftServer.Status status(RaftkvNode n) throws Exception {
        return n.server().status().get();
    }

    /** n1 leads n2 and n3; n3 stops, VALUES values of 1 MiB are written, n3 starts again and must catch up. */
    private RaftkvNode[] writeWhileAFollowerIsDown(long snapshotEveryBytes) throws Exception {
        InetSocketAddress n3Raft = new InetSocketAddress("127.0.0.1", freePort()); // n3 comes back where the others know it
        RaftkvNode n1 = start(config("n1", ANY, snapshotEveryBytes).withBootstrap());
        await().atMost(Duration.ofSeconds(10)).until(() -> status(n1).role() == Role.LEADER && status(n1).commitIndex() >= 2);
        List<String> join = List.of("127.0.0.1:" + n1.httpPort());
        RaftkvNode n2 = start(config("n2", ANY, snapshotEveryBytes).withJoin(join));
        n2.joined().get();
        RaftkvNode n3 = start(config("n3", n3Raft, snapshotEveryBytes).withJoin(join));
        n3.joined().get();
        await().atMost(Duration.ofSeconds(10)).until(() -> status(n3).appliedIndex() == status(n1).commitIndex());
        n3.close();
        running.remove(n3);

        try (KvClient client = new KvClient(List.of(new InetSocketAddress("127.0.0.1", n1.clientPort())))) {
            for (int i = 0; i < VALUES; i++) client.put("k" + i % KEYS, value(i)).get();
        }
        RaftkvNode back = start(config("n3", n3Raft, snapshotEveryBytes));
        return new RaftkvNode[]{n1, n2, back};
    }

    private static void assertCaughtUp(RaftkvNode leader, RaftkvNode follower) throws Exception {
        long target = status(leader).commitIndex();
        await().atMost(Duration.ofSeconds(60)).until(() -> status(follower).appliedIndex() >= target);
        for (int k = 0; k < KEYS; k++) {
            int last = VALUES - KEYS + Math.floorMod(k - (VALUES - KEYS), KEYS); // the last i with i % KEYS == k
            Object read = follower.server().readLocal(KvCodec.encodeGet("k" + k)).get();
            assertThat(((KvResult.Value) read).value()).as("k" + k).isEqualTo(value(last));
        }
    }

    private static long snapshotsIn(Path dataDir) throws IOException {
        Path root = dataDir.resolve("snapshots");
        if (!Files.isDirectory(root)) return 0;
        try (Stream<Path> s = Files.list(root)) {
            return s.filter(p -> p.getFileName().toString().startsWith("snap-")).count();
        }
    }

    @Test
    void fromTheLeadersLog() throws Exception {
        RaftkvNode[] n = writeWhileAFollowerIsDown(0); // no snapshot by bytes: the leader's log still holds all 100 MiB
        assertCaughtUp(n[0], n[2]);
        assertThat(snapshotsIn(dir.resolve("n3"))).as("caught up by entries alone").isZero();
    }

    @Test
    void throughASnapshotAndTheLogAfterIt() throws Exception {
        RaftkvNode[] n = writeWhileAFollowerIsDown(NodeConfig.DEFAULT_SNAPSHOT_EVERY_BYTES);
        // the leader compacted past where n3 stopped: it gets the snapshot, then the ~36 MiB of log after it
        assertThat(n[0].server().logBytesInMemory().get()).isLessThan(VALUES * (long) MIB / 2);
        assertCaughtUp(n[0], n[2]);
        assertThat(snapshotsIn(dir.resolve("n3"))).as("installed the leader's snapshot").isPositive();
        // and every node's log on the heap stays within the 64 MiB between snapshots, whatever the value sizes
        for (RaftkvNode node : n) {
            assertThat(node.server().logBytesInMemory().get()).isLessThanOrEqualTo(NodeConfig.DEFAULT_SNAPSHOT_EVERY_BYTES + 2 * MIB);
        }
    }
}
