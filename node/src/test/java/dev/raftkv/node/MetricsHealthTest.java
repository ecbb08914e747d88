package dev.raftkv.node;

import dev.raftkv.client.ClientConnection;
import dev.raftkv.client.ClientProtocol;
import dev.raftkv.client.ClientRequest;
import dev.raftkv.client.ClientResponse;
import dev.raftkv.kv.KvLimits;
import dev.raftkv.raft.server.RaftServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;

import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code GET /metrics}, {@code /health} and {@code /ready} (README, "Metrics and health"). */
class MetricsHealthTest {
    private static final String PUT_LATENCY_COUNT =
            "raftkv_http_request_duration_seconds_count{consistency=\"none\",operation=\"put\",outcome=\"ok\"}";

    @TempDir
    Path dir;
    private final List<RaftkvNode> nodes = new ArrayList<>();
    private final LocalHttp http = new LocalHttp();

    @AfterEach
    void stop() {
        nodes.forEach(RaftkvNode::close);
    }

    private MetricsText scrape(RaftkvNode node) throws Exception {
        HttpResponse<String> r = http.call(node.httpPort(), "GET", "/metrics", null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
        return new MetricsText(r.body());
    }

    @Test
    void metricsMoveWithTheWorkTheNodeDoes() throws Exception {
        RaftkvNode node = OneNodeCluster.start(dir, KvLimits.DEFAULT);
        nodes.add(node);
        MetricsText before = scrape(node);
        assertThat(before.get("raftkv_raft_role{role=\"leader\"}")).isEqualTo(1.0);
        assertThat(before.get("raftkv_raft_role{role=\"follower\"}")).isEqualTo(0.0);
        assertThat(before.get("raftkv_raft_leader_known")).isEqualTo(1.0);
        assertThat(before.get("raftkv_raft_term")).isGreaterThanOrEqualTo(1.0);
        assertThat(before.get("raftkv_raft_elections_started_total")).isGreaterThanOrEqualTo(1.0);
        assertThat(before.get("raftkv_raft_leader_changes_total")).isGreaterThanOrEqualTo(1.0);
        assertThat(before.hasSeriesStartingWith("jvm_memory_used_bytes{")).isTrue();
        assertThat(before.hasSeriesStartingWith("jvm_gc_collection_seconds_count{")).isTrue();

        int puts = 20;
        for (int i = 0; i < puts; i++) {
            assertThat(http.call(node.httpPort(), "PUT", "/v1/kv/k" + i, "v").statusCode()).isEqualTo(200);
        }
        assertThat(http.call(node.httpPort(), "GET", "/v1/kv/k1?consistency=lease", null).statusCode()).isEqualTo(200);
        assertThat(http.call(node.httpPort(), "GET", "/v1/kv/missing", null).statusCode()).isEqualTo(404);

        MetricsText after = scrape(node);
        assertThat(after.value("raftkv_raft_proposals_total") - before.value("raftkv_raft_proposals_total"))
                .isGreaterThanOrEqualTo(puts);
        assertThat(after.value(PUT_LATENCY_COUNT) - before.value(PUT_LATENCY_COUNT)).isEqualTo(puts);
        assertThat(after.get("raftkv_http_request_duration_seconds_count{consistency=\"lease\",operation=\"get\",outcome=\"ok\"}"))
                .isEqualTo(1.0);
        assertThat(after.get("raftkv_http_request_duration_seconds_count{consistency=\"linearizable\",operation=\"get\",outcome=\"not_found\"}"))
                .isEqualTo(1.0);
        assertThat(after.get("raftkv_requests_in_flight")).as("only the scrape itself").isEqualTo(1.0);
        // the gauges show the status of the latest tick: once it has passed, they and /v1/status agree
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            RaftServer.Status status = node.server().status().get(5, TimeUnit.SECONDS);
            MetricsText now = scrape(node);
            assertThat(now.get("raftkv_raft_applied_index")).isEqualTo((double) status.appliedIndex());
            assertThat(now.get("raftkv_raft_commit_index")).isEqualTo((double) status.commitIndex());
        });
        assertThat(scrape(node).get("raftkv_raft_applied_index")).isGreaterThanOrEqualTo(puts);
    }

    /** The binary port's requests, the log writer's group commits and the snapshots a small byte interval brings. */
    @Test
    void binaryRequestsLogFlushesAndSnapshotsAreCounted() throws Exception {
        RaftkvNode node = RaftkvNode.start(SecureNodes.config("n1", dir, "cookie", NodeSecurity.NONE).withBootstrap()
                .withSnapshotEveryBytes(4096), RaftkvNode.NETTY);
        nodes.add(node);
        await().atMost(Duration.ofSeconds(10)).until(() -> node.server().status().get().role() == dev.raftkv.raft.Role.LEADER);
        MetricsText before = scrape(node);
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            ClientConnection conn = ClientConnection.connect(group, new InetSocketAddress("127.0.0.1", node.clientPort()),
                    ClientProtocol.maxFrameBytes(KvLimits.DEFAULT.maxValueBytes()), 2000).get(5, TimeUnit.SECONDS);
            byte[] kib = new byte[1024];
            for (int i = 0; i < 10; i++) {
                ClientResponse r = conn.send(ClientRequest.put(i + 1, "c1", i + 1, "k" + i, kib)).get(10, TimeUnit.SECONDS);
                assertThat(r.status()).isEqualTo(ClientProtocol.Status.OK);
            }
            ClientResponse get = conn.send(ClientRequest.get(100, "k1", ClientProtocol.Consistency.LOCAL)).get(10, TimeUnit.SECONDS);
            assertThat(get.status()).isEqualTo(ClientProtocol.Status.OK);
            conn.close();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
        }
        MetricsText after = scrape(node);
        assertThat(after.get("raftkv_client_request_duration_seconds_count{consistency=\"none\",operation=\"put\",outcome=\"ok\"}"))
                .isEqualTo(10.0);
        assertThat(after.get("raftkv_client_request_duration_seconds_count{consistency=\"local\",operation=\"get\",outcome=\"ok\"}"))
                .isEqualTo(1.0);
        assertThat(after.value("raftkv_log_fsync_duration_seconds_count") - before.value("raftkv_log_fsync_duration_seconds_count"))
                .isGreaterThanOrEqualTo(1);
        assertThat(after.value("raftkv_log_batch_entries_sum") - before.value("raftkv_log_batch_entries_sum"))
                .as("every put was made durable by some group commit").isGreaterThanOrEqualTo(10);
        // the snapshot is taken on the apply thread after the batch that crossed the interval: wait for it
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            MetricsText now = scrape(node);
            assertThat(now.get("raftkv_snapshots_taken_total")).isGreaterThanOrEqualTo(1.0);
            assertThat(now.get("raftkv_snapshot_size_bytes")).isGreaterThan(1024.0);
            assertThat(now.get("raftkv_snapshot_duration_seconds_total")).isGreaterThan(0.0);
        });
    }

    @Test
    void aLeaderThatServesIsHealthyAndReady() throws Exception {
        RaftkvNode node = OneNodeCluster.start(dir, KvLimits.DEFAULT);
        nodes.add(node);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            HttpResponse<String> health = http.call(node.httpPort(), "GET", "/health", null);
            assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
            assertThat(health.body()).contains("\"status\":\"ok\"");
        });
        HttpResponse<String> ready = http.call(node.httpPort(), "GET", "/ready", null);
        assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
        assertThat(ready.body()).contains("\"status\":\"ready\"");
        assertThat(http.call(node.httpPort(), "POST", "/health", "x").statusCode()).isEqualTo(405);
    }

    /**
     * Three voters with tokens: a caller without one sees only /health and /ready, and those say no more than
     * whether; once two of three are gone, the last one knows no leader, and both turn 503.
     */
    @Test
    void healthAndReadyTurn503WhenAMajorityIsGoneAndAskNoToken() throws Exception {
        NodeSecurity security = SecureNodes.tokens();
        RaftkvNode n1 = SecureNodes.bootstrap("n1", dir.resolve("n1"), "cookie", security);
        nodes.add(n1);
        RaftkvNode n2 = SecureNodes.join("n2", dir.resolve("n2"), "cookie", security, n1);
        nodes.add(n2);
        n2.joined().get(30, TimeUnit.SECONDS);
        RaftkvNode n3 = SecureNodes.join("n3", dir.resolve("n3"), "cookie", security, n1);
        nodes.add(n3);
        n3.joined().get(30, TimeUnit.SECONDS);

        for (RaftkvNode n : List.of(n1, n2, n3)) {
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                HttpResponse<String> health = SecureNodes.call(n, null, "GET", "/health", null);
                assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
                assertThat(health.body()).doesNotContain("n1", "n2", "n3", "127.0.0.1");
            });
            assertThat(SecureNodes.call(n, null, "GET", "/ready", null).statusCode()).isEqualTo(200);
        }
        // the hostile caller: no metrics, no writes, and probing the open endpoints changes nothing
        assertThat(SecureNodes.call(n1, null, "GET", "/metrics", null).statusCode()).isEqualTo(401);
        assertThat(SecureNodes.call(n1, "wrong", "GET", "/metrics", null).statusCode()).isEqualTo(401);
        assertThat(SecureNodes.call(n1, null, "PUT", "/v1/kv/k", "v").statusCode()).isEqualTo(401);
        assertThat(SecureNodes.call(n1, null, "POST", "/ready", "{}").statusCode()).isEqualTo(405);
        assertThat(SecureNodes.call(n1, null, "DELETE", "/health", null).statusCode()).isEqualTo(405);
        assertThat(SecureNodes.call(n1, null, "GET", "/health/../v1/kv/k", null).statusCode()).isNotEqualTo(200);
        HttpResponse<String> missing = SecureNodes.call(n1, SecureNodes.CLIENT_TOKEN, "GET", "/v1/kv/k", null);
        assertThat(missing.statusCode()).as("nothing was written").isEqualTo(404);
        MetricsText metrics = new MetricsText(SecureNodes.call(n1, SecureNodes.CLIENT_TOKEN, "GET", "/metrics", null).body());
        assertThat(metrics.get("raftkv_raft_leader_known")).isEqualTo(1.0);

        RaftkvNode leader = null;
        for (RaftkvNode n : List.of(n1, n2, n3)) if (n.server().status().get().role() == dev.raftkv.raft.Role.LEADER) leader = n;
        assertThat(leader).isNotNull();
        RaftkvNode survivor = leader;
        for (RaftkvNode n : List.of(n1, n2, n3)) if (n != survivor) n.close();

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            HttpResponse<String> health = SecureNodes.call(survivor, null, "GET", "/health", null);
            assertThat(health.statusCode()).as(health.body()).isEqualTo(503);
            assertThat(health.body()).contains("\"status\":\"unhealthy\"").contains("no leader known");
        });
        HttpResponse<String> ready = SecureNodes.call(survivor, null, "GET", "/ready", null);
        assertThat(ready.statusCode()).as(ready.body()).isEqualTo(503);
        assertThat(ready.body()).contains("no leader known");
    }
}
