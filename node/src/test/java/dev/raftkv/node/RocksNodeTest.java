package dev.raftkv.node;

import dev.raftkv.client.ClientConnection;
import dev.raftkv.client.ClientProtocol;
import dev.raftkv.client.ClientProtocol.Status;
import dev.raftkv.client.ClientRequest;
import dev.raftkv.client.ClientResponse;
import dev.raftkv.kv.KvLimits;
import dev.raftkv.kv.KvResult;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A node on the RocksDB store: the client protocol works the same, a restart keeps everything without a snapshot. */
class RocksNodeTest {
    @TempDir
    Path dir;
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private RaftkvNode node;
    private ClientConnection conn;

    @AfterEach
    void stop() {
        if (conn != null) conn.close();
        if (node != null) node.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    private void start() throws Exception {
        node = OneNodeCluster.start(dir, KvLimits.DEFAULT, ClientServer.DEFAULT_MAX_IN_FLIGHT, StoreKind.ROCKSDB);
        conn = ClientConnection.connect(group, new InetSocketAddress("127.0.0.1", node.clientPort()),
                ClientProtocol.maxFrameBytes(KvLimits.DEFAULT.maxValueBytes()), 2000).get(5, TimeUnit.SECONDS);
    }

    private ClientResponse call(ClientRequest r) throws Exception {
        return conn.send(r).get(10, TimeUnit.SECONDS);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void writesRetriesAndARestartThatRestoresNoSnapshot() throws Exception {
        start();
        assertThat(call(ClientRequest.put(1, "c1", 1, "k", utf8("a"))).status()).isEqualTo(Status.OK);
        ClientRequest cas = ClientRequest.cas(2, "c1", 2, "k", utf8("a"), utf8("b"));
        assertThat(call(cas).status()).isEqualTo(Status.OK);
        assertThat(call(cas.withRequestId(3)).status()).as("a retry gets its first answer").isEqualTo(Status.OK);
        String tooLong = "c".repeat(KvLimits.MAX_CLIENT_ID_BYTES + 1);
        ClientResponse refused = call(ClientRequest.put(4, tooLong, 1, "k", utf8("x")));
        assertThat(refused.status()).isEqualTo(Status.BAD_REQUEST);
        conn.close();
        node.close();
        node = null;
        assertThat(Files.isDirectory(dir.resolve("kv"))).isTrue();
        try (var snaps = Files.list(dir.resolve("snapshots"))) {
            assertThat(snaps.count()).as("no snapshot was taken: the state comes back from RocksDB alone").isZero();
        }

        start();
        ClientResponse get = call(ClientRequest.get(5, "k", ClientProtocol.Consistency.LINEARIZABLE));
        assertThat(((KvResult.Value) get.result()).value()).isEqualTo(utf8("b"));
        assertThat(call(cas.withRequestId(6)).status()).as("the session survived the restart too").isEqualTo(Status.OK);
    }
}
