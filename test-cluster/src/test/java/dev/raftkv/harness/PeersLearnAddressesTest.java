package dev.raftkv.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
 * The original demo, walked through with the node issue's launch command alone ({@code --id --raft --client
 * --http --peers --data-dir --cookie}: no --peer-http, no --peer-client). Before each node published its own
 * addresses through the log, a follower could not forward a write to the leader (503 "not the leader; the
 * leader is n3") and a binary client sent to a follower was told of no leader's client port.
 */
class PeersLearnAddressesTest {
    private static final String[] FAST = {"--tick-ms", "50", "--election-ticks", "10", "--request-timeout-ms", "3000"};
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private ProcessCluster cluster;

    @AfterEach
    void cleanUp() {
        if (cluster != null) cluster.close();
    }

    /** What {@code on} says, in its status, of where {@code of} serves HTTP (null: it does not know). */
    private String httpOf(String on, String of) throws Exception {
        HttpResponse<String> r = cluster.call(on, "GET", "/v1/status", null);
        if (r == null || r.statusCode() != 200) return null;
        for (JsonNode m : JSON.readTree(r.body()).path("members")) {
            if (m.path("id").asText().equals(of)) return m.hasNonNull("http") ? m.get("http").asText() : null;
        }
        return null;
    }

    private void awaitEveryoneKnowsEveryone(List<String> running) {
        try {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                for (String on : running) {
                    for (String of : running) {
                        assertThat(httpOf(on, of)).as("%s's view of %s", on, of).isEqualTo(cluster.member(of).http());
                    }
                }
            });
        } catch (AssertionError | RuntimeException e) {
            StringBuilder logs = new StringBuilder();
            for (String id : running) logs.append("\n--- ").append(id).append(" ---\n").append(cluster.logOf(id));
            throw new AssertionError(e.getMessage() + logs, e);
        }
    }

    private void putVia(String via, String key, String value) {
        HttpResponse<String> put = cluster.call(via, "PUT", "/v1/kv/" + key, value);
        assertThat(put).as("PUT via %s", via).isNotNull();
        assertThat(put.statusCode()).as("PUT via %s: %s", via, put.body()).isEqualTo(200);
    }

    @Test
    void theDemoWorksWithoutTellingAnyNodeWherePeersServeHttpOrClients() throws Exception {
        cluster = new ProcessCluster(dir, 3, "demo-cookie").withoutPeerAddressFlags();
        cluster.startAll(FAST);
        await().atMost(Duration.ofSeconds(30)).until(() -> cluster.leader() != null);
        awaitEveryoneKnowsEveryone(List.of("n1", "n2", "n3"));

        // put through every node (followers forward), linearizable get and stale local_get everywhere
        for (String via : List.of("n1", "n2", "n3")) putVia(via, "from-" + via, "value-" + via);
        for (String on : List.of("n1", "n2", "n3")) {
            assertThat(cluster.call(on, "GET", "/v1/kv/from-n2", null).body()).isEqualTo("value-n2");
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    "value-n3".equals(cluster.call(on, "GET", "/v1/kv/from-n3?consistency=local", null).body()));
        }

        // a binary client that knows one follower only is sent on to the leader's client port
        String leader = cluster.leader();
        String follower = List.of("n1", "n2", "n3").stream().filter(id -> !id.equals(leader)).findFirst().orElseThrow();
        List<InetSocketAddress> oneFollower = List.of(new InetSocketAddress("127.0.0.1", cluster.member(follower).clientPort));
        try (KvClient kv = new KvClient(oneFollower, KvClient.Options.DEFAULT.withTimeout(Duration.ofSeconds(10)),
                cluster.clientSecurity())) {
            kv.put("binary", "via-a-follower".getBytes(StandardCharsets.UTF_8)).get(15, TimeUnit.SECONDS);
        }
        assertThat(cluster.call(leader, "GET", "/v1/kv/binary", null).body()).isEqualTo("via-a-follower");

        // the leader dies: the new one is found and written through by the survivors
        cluster.kill9(leader);
        await().atMost(Duration.ofSeconds(20)).until(() -> cluster.leader() != null);
        List<String> survivors = List.of("n1", "n2", "n3").stream().filter(id -> !id.equals(leader)).toList();
        for (String via : survivors) putVia(via, "after-" + via, "1");

        // a node joins at runtime: it is told nothing but where to ask, and writes through it are forwarded
        ProcessCluster.Member n4 = cluster.addMember();
        cluster.startJoining(n4.id, List.of(survivors.get(0)), FAST);
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            HttpResponse<String> r = cluster.call(n4.id, "GET", "/v1/status", null);
            return r != null && r.statusCode() == 200 && r.body().contains("\"leader\":\"" + cluster.leader() + "\"");
        });
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> putVia(n4.id, "from-n4", "4"));
        List<String> now = List.of(survivors.get(0), survivors.get(1), n4.id);
        awaitEveryoneKnowsEveryone(now);

        // the killed leader comes back from its data alone and learns where the newcomer serves
        cluster.startFromData(leader, FAST);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(httpOf(leader, n4.id)).isEqualTo(n4.http()));
        putVia(leader, "from-the-old-leader", "5");
    }
}
