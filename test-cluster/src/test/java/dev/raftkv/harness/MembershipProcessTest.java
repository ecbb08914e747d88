package dev.raftkv.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.raftkv.check.CheckResult;
import dev.raftkv.check.LinearizabilityChecker;
import dev.raftkv.check.LostWriteChecker;
import dev.raftkv.check.Op;
import dev.raftkv.check.Outcome;
import dev.raftkv.check.Verdict;
import dev.raftkv.jepsen.RecordingClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Membership changes on real node processes, under a recorded put/get/CAS load whose history must be
 * linearizable with no acknowledged write lost: the demo's "start one node, join the others", growing to
 * five and shrinking back, removing the leader, and leadership moved back and forth.
 */
class MembershipProcessTest {
    private static final String[] FAST = {"--tick-ms", "50", "--election-ticks", "10", "--request-timeout-ms", "3000"};
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int KEYS = 4;

    @TempDir
    Path dir;
    private ProcessCluster cluster;
    private Load load;

    @AfterEach
    void cleanUp() {
        if (load != null) load.stop();
        if (cluster != null) cluster.close();
    }

    /** Recording clients on a few keys, in the background, until stopped. */
    private final class Load {
        final List<Op> history = Collections.synchronizedList(new ArrayList<>());
        final AtomicBoolean running = new AtomicBoolean(true);
        final AtomicInteger processes = new AtomicInteger();
        final long start = System.nanoTime();
        final List<Thread> threads = new ArrayList<>();

        Load(int clients) {
            for (int i = 0; i < clients; i++) {
                RecordingClient c = new RecordingClient(i, cluster, KEYS, 77 + i, this::now, recorded -> {
                    // local reads may be stale, so they are not part of the linearizable history
                    if (!"local".equals(recorded.consistency())) history.add(recorded.op());
                }, running, processes);
                Thread t = new Thread(c, "load-" + i);
                threads.add(t);
                t.start();
            }
        }

        long now() {
            return System.nanoTime() - start;
        }

        void stop() {
            running.set(false);
            for (Thread t : threads) {
                try {
                    t.join(20_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        long acknowledgedWrites() {
            synchronized (history) {
                return history.stream().filter(op -> op.kind() != dev.raftkv.check.OpKind.GET && op.outcome() == Outcome.OK).count();
            }
        }

        /** Stops, reads every key through the leader, and checks the whole history. */
        void stopAndCheck() {
            stop();
            Map<String, String> finals = new TreeMap<>();
            int process = processes.getAndIncrement();
            for (int k = 0; k < KEYS; k++) {
                String key = "k" + k;
                await().atMost(Duration.ofSeconds(20)).until(() -> {
                    String leader = cluster.leader();
                    if (leader == null) return false;
                    long invoke = now();
                    HttpResponse<String> r = cluster.call(leader, "GET", "/v1/kv/" + key, null);
                    if (r == null || (r.statusCode() != 200 && r.statusCode() != 404)) return false;
                    String value = r.statusCode() == 200 ? r.body() : null;
                    history.add(Op.get(process, key, value, invoke, now(), Outcome.OK));
                    finals.put(key, value);
                    return true;
                });
            }
            List<Op> ops = List.copyOf(history);
            CheckResult lin = LinearizabilityChecker.check(ops, 60_000);
            assertThat(lin.verdict()).as(lin.explanation()).isEqualTo(Verdict.LINEARIZABLE);
            assertThat(LostWriteChecker.check(ops, finals)).as("lost acknowledged writes").isEmpty();
        }
    }

    private JsonNode members(String via) {
        HttpResponse<String> r = cluster.call(via, "GET", "/v1/members", null);
        if (r == null || r.statusCode() != 200) return null;
        try {
            return JSON.readTree(r.body());
        } catch (Exception e) {
            return null;
        }
    }

    private Set<String> voters(String via) {
        JsonNode m = members(via);
        Set<String> out = new TreeSet<>();
        if (m != null) m.path("members").forEach(n -> {
            if (n.path("voter").asBoolean()) out.add(n.path("id").asText());
        });
        return out;
    }

    private void awaitVoters(String via, String... ids) {
        await().atMost(Duration.ofSeconds(40)).until(() -> voters(via).equals(Set.of(ids)));
    }

    private String awaitLeader() {
        await().atMost(Duration.ofSeconds(30)).until(() -> cluster.leader() != null);
        return cluster.leader();
    }

    @Test
    void oneNodeBootstrapsOthersJoinItGrowsToFiveAndShrinksToThreeWithoutTheLeader() throws Exception {
        cluster = new ProcessCluster(dir, 0, "test-cookie");
        for (int i = 0; i < 5; i++) cluster.addMember();
        cluster.startBootstrap("n1", FAST);
        awaitLeader();
        load = new Load(3);

        cluster.startJoining("n2", List.of("n1"), FAST);
        cluster.startJoining("n3", List.of("n1"), FAST);
        awaitVoters("n1", "n1", "n2", "n3");
        cluster.startJoining("n4", List.of("n2", "n3"), FAST);
        cluster.startJoining("n5", List.of("n3", "n1"), FAST);
        awaitVoters("n1", "n1", "n2", "n3", "n4", "n5");
        long writesWhileGrowing = load.acknowledgedWrites();

        // remove the leader, asking a follower (the request is forwarded to the leader, who hands over)
        String leader = awaitLeader();
        String other = cluster.members().stream().map(m -> m.id).filter(id -> !id.equals(leader)).findFirst().orElseThrow();
        HttpResponse<String> removed = cluster.call(other, "DELETE", "/v1/members/" + leader, null);
        assertThat(removed.statusCode()).as(removed.body()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            String now = cluster.leader();
            return now != null && !now.equals(leader) && !voters(now).contains(leader);
        });
        cluster.stop(leader);

        String next = awaitLeader();
        String victim = cluster.members().stream().map(m -> m.id)
                .filter(id -> !id.equals(leader) && !id.equals(next)).findFirst().orElseThrow();
        HttpResponse<String> second = cluster.call(next, "DELETE", "/v1/members/" + victim, null);
        assertThat(second.statusCode()).as(second.body()).isEqualTo(200);
        cluster.stop(victim);
        Set<String> three = voters(next);
        assertThat(three).hasSize(3).doesNotContain(leader, victim);

        // a joined member restarts with its data directory alone and takes part again
        String joined = three.stream().filter(id -> !id.equals(next) && !id.equals("n1")).findFirst().orElseThrow();
        cluster.stop(joined);
        cluster.startFromData(joined, FAST);
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            HttpResponse<String> s = cluster.call(joined, "GET", "/v1/status", null);
            return s != null && s.statusCode() == 200 && s.body().contains("\"leader\":\"");
        });

        assertThat(load.acknowledgedWrites()).as("writes kept being acknowledged").isGreaterThan(writesWhileGrowing);
        load.stopAndCheck();
        HttpResponse<String> gone = cluster.call(next, "DELETE", "/v1/members/" + victim, null);
        assertThat(gone.statusCode()).as("removing a non-member: " + gone.body()).isEqualTo(404);
    }

    @Test
    void leadershipMovesBackAndForthTwentyTimesUnderLoad() throws Exception {
        cluster = new ProcessCluster(dir, 3, "test-cookie");
        cluster.startAll(FAST);
        awaitLeader();
        load = new Load(3);
        String[] pair = {"n2", "n3"};
        for (int i = 0; i < 20; i++) {
            String to = pair[i % 2];
            HttpResponse<String> r = cluster.call("n1", "POST", "/v1/leader/transfer", "{\"to\":\"" + to + "\"}");
            assertThat(r.statusCode()).as("transfer %d to %s: %s", i, to, r.body()).isEqualTo(200);
            assertThat(r.body()).contains("\"leader\":\"" + to + "\"");
        }
        HttpResponse<String> toNobody = cluster.call("n1", "POST", "/v1/leader/transfer", "{\"to\":\"n9\"}");
        assertThat(toNobody.statusCode()).isEqualTo(404);
        load.stopAndCheck();
    }

    @Test
    void aNodeThatJoinsAfterTheLogWasCompactedGetsASnapshotAndServesOldKeys() throws Exception {
        cluster = new ProcessCluster(dir, 0, "test-cookie");
        cluster.addMember();
        cluster.addMember();
        cluster.startBootstrap("n1", concat(FAST, "--snapshot-every", "20"));
        awaitLeader();
        for (int i = 0; i < 60; i++) {
            HttpResponse<String> put = cluster.call("n1", "PUT", "/v1/kv/old-" + i, "v" + i);
            assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
        }
        cluster.startJoining("n2", List.of("n1"), FAST);
        awaitVoters("n1", "n1", "n2");
        for (int i = 0; i < 60; i += 7) {
            HttpResponse<String> r = cluster.call("n2", "GET", "/v1/kv/old-" + i + "?consistency=local", null);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("v" + i);
        }
        assertThat(cluster.logOf("n2")).contains("installs snapshot");
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
