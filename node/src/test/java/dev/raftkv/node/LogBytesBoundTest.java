package dev.raftkv.node;

import dev.raftkv.kv.KvCodec;
import dev.raftkv.kv.KvCommand;
import dev.raftkv.kv.KvLimits;
import dev.raftkv.raft.Role;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The log a node holds in memory is bounded in bytes, not only in entries: with 1 MiB values, 10,000
 * entries (the default --snapshot-every) would be 10 GiB of heap. A snapshot every
 * --snapshot-every-bytes keeps it near that size.
 */
class LogBytesBoundTest {
    private static final long MIB = 1024 * 1024;

    @TempDir
    Path dir;

    private static NodeConfig config(Path dir) {
        InetSocketAddress any = new InetSocketAddress("127.0.0.1", 0);
        return new NodeConfig("n1", any, any, any, Map.of("n1", new InetSocketAddress("127.0.0.1", 1)), Map.of(), Map.of(),
                dir, "cookie", 10, 10, 10_000, KvLimits.DEFAULT, Duration.ofSeconds(5), 1024, false, List.of(),
                StoreKind.MEMORY, NodeSecurity.NONE);
    }

    @Test
    void theDefaultIs64MiB() {
        assertThat(config(dir).snapshotEveryBytes()).isEqualTo(64 * MIB);
    }

    @Test
    void aSnapshotEveryFewMebibytesKeepsTheLogInMemoryThatSmall() throws Exception {
        RaftkvNode node = RaftkvNode.start(config(dir).withSnapshotEveryBytes(4 * MIB), OneNodeCluster.NO_PEERS);
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> node.server().status().get().role() == Role.LEADER);
            byte[] value = new byte[(int) MIB];
            for (int i = 0; i < 24; i++) {
                node.server().propose(KvCodec.encode(new KvCommand.Put("", 0, "k" + (i % 4), value))).get();
            }
            // the snapshot after the fourth or fifth value, the compaction just after it
            await().atMost(Duration.ofSeconds(10)).until(() -> node.server().logBytesInMemory().get() <= 5 * MIB);
            assertThat(node.server().status().get().appliedIndex()).isGreaterThanOrEqualTo(24);
        } finally {
            node.close();
        }
    }
}
