package dev.raftkv.harness;

import dev.raftkv.client.KvClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Three node processes with TLS on every port (mutual on the Raft port) and tokens: writes through every
 * node (followers forward to the leader over TLS), reads everywhere, the binary protocol over TLS, a
 * killed leader replaced and caught up, a node that joins over TLS, and a node started through the
 * test-only entry point saying so in its status.
 */
class TlsProcessClusterTest {
    private static final String[] FAST = {"--tick-ms", "50", "--election-ticks", "10"};

    @TempDir
    Path dir;
    private ProcessCluster cluster;

    @AfterEach
    void cleanUp() {
        if (cluster != null) cluster.close();
    }

    @Test
    void aTlsClusterServesFailsOverAndTakesInAJoiner() throws Exception {
        cluster = new ProcessCluster(dir, 3, "tls-cookie").withTls();
        cluster.startAll(FAST);
        // every member must know the leader before a write goes through each of them (one elected a moment ago
        // is known to itself first: a follower that has not heard from it yet answers 503)
        await().atMost(Duration.ofSeconds(30)).until(() -> cluster.agreedLeader() != null);
        for (String via : new String[]{"n1", "n2", "n3"}) {
            HttpResponse<String> put = cluster.call(via, "PUT", "/v1/kv/from-" + via, "value-" + via);
            assertThat(put).as("PUT via %s", via).isNotNull();
            assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
        }
        for (String on : new String[]{"n1", "n2", "n3"}) {
            assertThat(cluster.call(on, "GET", "/v1/kv/from-n1", null).body()).isEqualTo("value-n1");
        }
        assertThat(cluster.callWithToken(null, "n1", "GET", "/v1/kv/from-n1", null).statusCode()).isEqualTo(401);

        List<InetSocketAddress> clients = cluster.members().stream()
                .map(m -> new InetSocketAddress("127.0.0.1", m.clientPort)).toList();
        try (KvClient kv = new KvClient(clients, KvClient.Options.DEFAULT.withTimeout(Duration.ofSeconds(10)),
                cluster.clientSecurity())) {
            kv.put("binary", "over-tls".getBytes(StandardCharsets.UTF_8)).get(15, TimeUnit.SECONDS);
            assertThat(kv.get("binary").get(15, TimeUnit.SECONDS)).isEqualTo("over-tls".getBytes(StandardCharsets.UTF_8));

            String old = cluster.leader();
            cluster.kill9(old);
            await().atMost(Duration.ofSeconds(20)).until(() -> cluster.leader() != null);
            kv.put("after-failover", "yes".getBytes(StandardCharsets.UTF_8)).get(15, TimeUnit.SECONDS);
            cluster.startFromData(old, FAST);
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                HttpResponse<String> r = cluster.call(old, "GET", "/v1/kv/after-failover?consistency=local", null);
                return r != null && "yes".equals(r.body());
            });
        }

        // a fourth node joins over TLS: the leader proves it (mutual TLS and the cookie) before it adds it
        ProcessCluster.Member n4 = cluster.addMember();
        cluster.startJoining(n4.id, List.of("n1", "n2"), FAST);
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            HttpResponse<String> r = cluster.call(cluster.leader() == null ? "n1" : cluster.leader(), "GET", "/v1/members", null);
            return r != null && r.body().contains("\"id\":\"n4\"") && !r.body().contains("\"role\":\"learner\"");
        });
        HttpResponse<String> status = cluster.call("n4", "GET", "/v1/status", null);
        assertThat(status.body()).contains("\"cluster\":\"" + cluster.clusterId() + "\"").doesNotContain("unsafe");
    }

    @Test
    void aNodeStartedThroughTheTestOnlyEntryPointSaysSo() throws Exception {
        cluster = new ProcessCluster(dir, 1, "cookie");
        cluster.startAll("--unsafe-local-reads");
        await().atMost(Duration.ofSeconds(30)).until(() -> cluster.leader() != null);
        HttpResponse<String> status = cluster.call("n1", "GET", "/v1/status", null);
        assertThat(status.body()).contains("\"unsafe\":[\"local-reads\"]", "UNSAFE");
        assertThat(cluster.logOf("n1")).contains("TEST-ONLY NODE", "UNSAFE test-only switches [local-reads]");
    }
}
