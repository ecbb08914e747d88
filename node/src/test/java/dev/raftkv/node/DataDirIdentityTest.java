package dev.raftkv.node;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A data directory knows whose it is: the node that wrote it and its cluster, in a versioned file. */
class DataDirIdentityTest {
    @TempDir
    Path dir;

    @Test
    void aDirectoryWrittenByN1IsRefusedToANodeStartedAsX() throws Exception {
        RaftkvNode n1 = SecureNodes.bootstrap("n1", dir, "cookie", NodeSecurity.NONE);
        String cluster = n1.clusterId();
        n1.close();
        assertThat(cluster).isNotEmpty();
        assertThatThrownBy(() -> RaftkvNode.start(SecureNodes.config("x", dir, "cookie", NodeSecurity.NONE), RaftkvNode.NETTY))
                .isInstanceOf(DataDirIdentity.RefusedException.class)
                .hasMessageContaining("belongs to node n1").hasMessageContaining("--id x");
        // the same node with its data alone comes back in the same cluster
        RaftkvNode again = RaftkvNode.start(SecureNodes.config("n1", dir, "cookie", NodeSecurity.NONE), RaftkvNode.NETTY);
        try {
            assertThat(again.clusterId()).isEqualTo(cluster);
        } finally {
            again.close();
        }
    }

    @Test
    void anotherClusterIdThanTheDirectorysIsRefused() throws Exception {
        SecureNodes.bootstrap("n1", dir, "cookie", NodeSecurity.NONE).close();
        NodeSecurity other = new NodeSecurity("some-other-cluster", null, null, null);
        assertThatThrownBy(() -> RaftkvNode.start(SecureNodes.config("n1", dir, "cookie", other), RaftkvNode.NETTY))
                .isInstanceOf(DataDirIdentity.RefusedException.class).hasMessageContaining("some-other-cluster");
    }

    @Test
    void anUnknownFormatVersionIsRefusedWithAMessage() throws Exception {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(DataDirIdentity.FILE), "{\"format\":9,\"node\":\"n1\",\"cluster\":\"c\"}");
        assertThatThrownBy(() -> DataDirIdentity.open(dir, "n1")).isInstanceOf(DataDirIdentity.RefusedException.class)
                .hasMessageContaining("format version 9").hasMessageContaining("reads version 1");
    }

    @Test
    void dataWithoutAnIdentityIsRefusedAndAnEmptyDirectoryGetsOne() throws Exception {
        Files.createDirectories(dir.resolve("log"));
        assertThatThrownBy(() -> DataDirIdentity.open(dir, "n1")).isInstanceOf(DataDirIdentity.RefusedException.class)
                .hasMessageContaining("no " + DataDirIdentity.FILE);
        Path fresh = dir.resolve("fresh");
        DataDirIdentity id = DataDirIdentity.open(fresh, "n1");
        assertThat(id.knowsCluster()).isFalse();
        id.adopt("c1");
        assertThat(DataDirIdentity.open(fresh, "n1").clusterId()).isEqualTo("c1");
        assertThatThrownBy(() -> id.adopt("c2")).isInstanceOf(DataDirIdentity.RefusedException.class);
    }

    @Test
    void nodesGivenDifferentPeersAreDifferentClusters() {
        var a = java.util.Map.of("n1", new java.net.InetSocketAddress("127.0.0.1", 7001),
                "n2", new java.net.InetSocketAddress("127.0.0.1", 7002));
        var b = java.util.Map.of("n1", new java.net.InetSocketAddress("127.0.0.1", 7001),
                "n2", new java.net.InetSocketAddress("127.0.0.1", 7009));
        assertThat(ClusterIds.fromPeers(a)).isEqualTo(ClusterIds.fromPeers(new java.util.TreeMap<>(a)))
                .isNotEqualTo(ClusterIds.fromPeers(b));
    }
}
