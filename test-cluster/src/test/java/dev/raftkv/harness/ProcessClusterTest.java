package dev.raftkv.harness;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Real node processes over real sockets and disks: the demo's walkthrough, a dead leader, a
 * whole-cluster kill -9, and the loss of a majority (the demo's election loop).
 */
class ProcessClusterTest {
    /** Fast ticks keep the suite short: election timeout 0.5–1 s. */
    private static final String[] FAST = {"--tick-ms", "50", "--election-ticks", "10", "--request-timeout-ms", "3000"};

    @TempDir
    Path dir;
    private ProcessCluster cluster;

    @AfterEach
    void cleanUp() {
        if (cluster != null) cluster.close();
    }

    private ProcessCluster up() throws Exception {
        cluster = new ProcessCluster(dir, 3, "test-cookie");
        cluster.startAll(FAST);
        awaitLeader();
        return cluster;
    }

    private String awaitLeader() {
        await().atMost(Duration.ofSeconds(30)).until(() -> cluster.leader() != null);
        return cluster.leader();
    }

    private static long term(HttpResponse<String> status) {
        Matcher m = Pattern.compile("\"term\":(\\d+)").matcher(status.body());
        assertThat(m.find()).isTrue();
        return Long.parseLong(m.group(1));
    }

    @Test
    void writesThroughAnyNodeAndReadsEverywhere() throws Exception {
        up();
        for (String via : new String[]{"n1", "n2", "n3"}) {
            HttpResponse<String> put = cluster.call(via, "PUT", "/v1/kv/from-" + via, "value-" + via);
            assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
        }
        for (String on : new String[]{"n1", "n2", "n3"}) {
            for (String via : new String[]{"n1", "n2", "n3"}) {
                assertThat(cluster.call(on, "GET", "/v1/kv/from-" + via, null).body()).isEqualTo("value-" + via);
                await().atMost(Duration.ofSeconds(10)).until(() ->
                        ("value-" + via).equals(cluster.call(on, "GET", "/v1/kv/from-" + via + "?consistency=local", null).body()));
            }
        }
    }

    @Test
    void aKilledLeaderIsReplacedAndCatchesUpWhenItReturns() throws Exception {
        up();
        String old = cluster.leader();
        assertThat(cluster.call(old, "PUT", "/v1/kv/before", "1").statusCode()).isEqualTo(200);
        long killedAt = System.nanoTime();
        cluster.kill9(old);
        await().atMost(Duration.ofSeconds(10)).until(() -> cluster.leader() != null);
        long electedAfterMs = (System.nanoTime() - killedAt) / 1_000_000;
        System.out.println("new leader " + cluster.leader() + " " + electedAfterMs + " ms after the old one was killed");
        String other = cluster.members().stream().map(m -> m.id).filter(id -> !id.equals(old)).findFirst().orElseThrow();
        assertThat(cluster.call(other, "PUT", "/v1/kv/after", "2").statusCode()).isEqualTo(200);
        cluster.start(old, FAST);
        await().atMost(Duration.ofSeconds(20)).until(() -> "2".equals(body(cluster.call(old, "GET", "/v1/kv/after?consistency=local", null))));
        assertThat(cluster.call(old, "GET", "/v1/kv/before?consistency=local", null).body()).isEqualTo("1");
    }

    private static String[] withStore(String store, String... args) {
        String[] out = java.util.Arrays.copyOf(args, args.length + 2);
        out[args.length] = "--store";
        out[args.length + 1] = store;
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "rocksdb"})
    void killingEveryNodeMidWriteLoseNoAcknowledgedKey(String store) throws Exception {
        String[] args = withStore(store, FAST);
        cluster = new ProcessCluster(dir, 3, "test-cookie");
        cluster.startAll(args);
        awaitLeader();
        Map<String, String> acknowledged = new ConcurrentHashMap<>();
        AtomicBoolean writing = new AtomicBoolean(true);
        Thread writer = new Thread(() -> {
            int i = 0;
            while (writing.get()) {
                String key = "k" + i;
                String via = "n" + (1 + i % 3);
                HttpResponse<String> r = cluster.call(via, "PUT", "/v1/kv/" + key, "v" + i);
                if (r != null && r.statusCode() == 200) acknowledged.put(key, "v" + i);
                i++;
            }
        }, "writer");
        writer.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> acknowledged.size() >= 100);
        for (ProcessCluster.Member m : cluster.members()) cluster.kill9(m.id);
        writing.set(false);
        writer.join();
        int acked = acknowledged.size();
        cluster.startAll(args);
        awaitLeader();
        for (Map.Entry<String, String> e : acknowledged.entrySet()) {
            HttpResponse<String> r = readWithRetry("n1", e.getKey());
            assertThat(r.body()).as("acknowledged key %s", e.getKey()).isEqualTo(e.getValue());
        }
        System.out.println(acked + " acknowledged keys all back after kill -9 of every node (" + store + " store)");
    }

    @Test
    void aLeaderThatLosesItsMajorityStepsDownAndRefusesWritesQuickly() throws Exception {
        up();
        String leader = cluster.leader();
        for (ProcessCluster.Member m : cluster.members()) {
            if (!m.id.equals(leader)) cluster.kill9(m.id);
        }
        // check-quorum: within two election timeouts (2 x 1 s at most) it no longer claims to lead
        await().atMost(Duration.ofSeconds(3)).until(() -> !body(cluster.call(leader, "GET", "/v1/status", null)).contains("\"role\":\"leader\""));
        long t0 = System.nanoTime();
        HttpResponse<String> put = cluster.call(leader, "PUT", "/v1/kv/alone", "x");
        long tookMs = (System.nanoTime() - t0) / 1_000_000;
        assertThat(put.statusCode()).isIn(503, 504);
        assertThat(tookMs).as("no hang: answered within the request timeout").isLessThan(5_000);
        // pre-vote: alone, it does not raise its term however long it waits
        long termAlone = term(cluster.call(leader, "GET", "/v1/status", null));
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
                .until(() -> term(cluster.call(leader, "GET", "/v1/status", null)) == termAlone);
        for (ProcessCluster.Member m : cluster.members()) cluster.start(m.id, FAST);
        awaitLeader();
        await().atMost(Duration.ofSeconds(15)).until(() -> {
            HttpResponse<String> r = cluster.call(leader, "PUT", "/v1/kv/together", "y");
            return r != null && r.statusCode() == 200;
        });
    }

    @Test
    void aNodeWithTheWrongCookieCannotJoinAndGarbageOnEveryPortDoesNoHarm() throws Exception {
        cluster = new ProcessCluster(dir, 3, "test-cookie");
        cluster.start("n1", FAST);
        cluster.start("n2", FAST);
        String[] wrong = java.util.Arrays.copyOf(FAST, FAST.length + 2);
        wrong[FAST.length] = "--cookie";
        wrong[FAST.length + 1] = "not-the-cookie";
        cluster.start("n3", wrong);
        awaitLeader();
        assertThat(cluster.call(cluster.leader(), "PUT", "/v1/kv/k", "v").statusCode()).isEqualTo(200);
        // n3 never hears from the leader: it knows no leader and holds none of the data
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4)).until(() ->
                body(cluster.call("n3", "GET", "/v1/status", null)).contains("\"leader\":null"));
        assertThat(cluster.call("n3", "GET", "/v1/kv/k?consistency=local", null).statusCode()).isEqualTo(404);
        await().atMost(Duration.ofSeconds(10)).until(() -> cluster.logOf("n1").contains("cookie")
                || cluster.logOf("n2").contains("cookie"));

        for (ProcessCluster.Member m : cluster.members()) {
            for (int port : new int[]{m.raftPort, m.httpPort, m.clientPort}) {
                try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
                    byte[] garbage = new byte[4096];
                    new java.util.Random(port).nextBytes(garbage);
                    s.getOutputStream().write(garbage);
                    s.getOutputStream().flush();
                } catch (java.io.IOException refusedOrReset) {
                    // a node may close on us mid-write: that is the point
                }
            }
        }
        for (String id : new String[]{"n1", "n2"}) {
            assertThat(cluster.member(id).isRunning()).as(id + " survives garbage").isTrue();
        }
        HttpResponse<String> after = cluster.call("n2", "PUT", "/v1/kv/after-garbage", "still-fine");
        assertThat(after.statusCode()).as(after.body()).isEqualTo(200);
        assertThat(cluster.call("n1", "GET", "/v1/kv/after-garbage", null).body()).isEqualTo("still-fine");
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "rocksdb"})
    void aFollowerFarBehindCatchesUpFromAManyChunkSnapshotAndAKill9OfAllRestoresFromSnapshots(String store) throws Exception {
        // a snapshot every 100 entries: the leader's log soon no longer reaches back to where the follower stopped
        String[] args = withStore(store, java.util.Arrays.copyOf(FAST, FAST.length + 2));
        args[FAST.length] = "--snapshot-every";
        args[FAST.length + 1] = "100";
        cluster = new ProcessCluster(dir, 3, "test-cookie");
        cluster.startAll(args);
        String leader = awaitLeader();
        String behind = cluster.members().stream().map(m -> m.id).filter(id -> !id.equals(leader)).findFirst().orElseThrow();
        cluster.kill9(behind);

        int keys = 640;
        String value = "v".repeat(16 * 1024); // about 10 MiB of state: ten 1 MiB chunks
        writeBigKeys(leader, keys, value);

        cluster.start(behind, args);
        await().atMost(Duration.ofSeconds(60)).until(() ->
                (value + "big-" + (keys - 1)).equals(body(cluster.call(behind, "GET", "/v1/kv/big-" + (keys - 1) + "?consistency=local", null))));
        // the leader's core forgets entries at each snapshot, so only InstallSnapshot could bring the follower here
        if (store.equals("rocksdb")) {
            // (RocksDB compresses these repetitive values to a few hundred KiB, so the size says nothing)
            assertThat(cluster.logOf(behind)).as("the follower installed a RocksDB checkpoint").contains("installed the RocksDB checkpoint");
        } else {
            assertThat(largestSnapshotData(behind)).as("snapshot data in %s", behind).isGreaterThan(5L * 1024 * 1024);
        }

        for (ProcessCluster.Member m : cluster.members()) cluster.kill9(m.id);
        cluster.startAll(args);
        awaitLeader();
        for (int i = 0; i < keys; i += 7) {
            assertThat(body(readWithRetry(behind, "big-" + i))).isEqualTo(value + "big-" + i);
        }
        assertThat(body(readWithRetry(behind, "big-" + (keys - 1)))).isEqualTo(value + "big-" + (keys - 1));
    }

    /** Puts big-0 .. big-(keys-1), each {@code value} + its key, from eight writers at once; each must succeed. */
    private void writeBigKeys(String leader, int keys, String value) throws Exception {
        java.util.concurrent.ExecutorService writers = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            java.util.List<java.util.concurrent.Future<Integer>> puts = new java.util.ArrayList<>();
            for (int i = 0; i < keys; i++) {
                String key = "big-" + i;
                puts.add(writers.submit(() -> putWithRetry(leader, key, value + key)));
            }
            for (java.util.concurrent.Future<Integer> p : puts) assertThat(p.get()).isEqualTo(200);
        } finally {
            writers.shutdownNow();
        }
    }

    /** The bytes of the largest snapshot the node holds: its files, the manifest aside. */
    private long largestSnapshotData(String id) throws java.io.IOException {
        long largest = 0;
        try (java.util.stream.Stream<Path> snaps = java.nio.file.Files.list(cluster.member(id).dataDir.resolve("snapshots"))) {
            for (Path snap : snaps.filter(p -> p.getFileName().toString().startsWith("snap-")).toList()) {
                try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(snap)) {
                    largest = Math.max(largest, files.filter(p -> !p.getFileName().toString().equals("manifest.json"))
                            .mapToLong(p -> p.toFile().length()).sum());
                }
            }
        }
        return largest;
    }

    /** Something half written: a snapshot still streaming in, or a RocksDB database still being built from one. */
    private boolean receivingOrInstalling(String id) {
        Path data = cluster.member(id).dataDir;
        for (Path d : new Path[]{data.resolve("snapshots"), data.resolve("kv")}) {
            try (java.util.stream.Stream<Path> s = java.nio.file.Files.list(d)) {
                if (s.anyMatch(p -> p.getFileName().toString().endsWith(".tmp"))) return true;
            } catch (java.io.IOException absentOrVanishing) {
                // not there yet, or deleted while listed
            }
        }
        return false;
    }

    @Test
    void aFollowerKilledWhileACheckpointStreamsInComesBackWithTheOldStateOrTheNewAndCatchesUp() throws Exception {
        String[] args = withStore("rocksdb", java.util.Arrays.copyOf(FAST, FAST.length + 2));
        args[FAST.length] = "--snapshot-every";
        args[FAST.length + 1] = "100";
        cluster = new ProcessCluster(dir, 3, "test-cookie");
        cluster.startAll(args);
        String leader = awaitLeader();
        assertThat(putWithRetry(leader, "before", "old")).isEqualTo(200);
        String behind = cluster.members().stream().map(m -> m.id).filter(id -> !id.equals(leader)).findFirst().orElseThrow();
        await().atMost(Duration.ofSeconds(10)).until(() -> "old".equals(body(cluster.call(behind, "GET", "/v1/kv/before?consistency=local", null))));
        cluster.kill9(behind);
        int keys = 1280;
        // about 20 MiB of random letters, which RocksDB cannot compress much: twenty chunks to stream
        StringBuilder letters = new StringBuilder();
        java.util.Random random = new java.util.Random(1);
        for (int i = 0; i < 16 * 1024; i++) letters.append((char) ('a' + random.nextInt(26)));
        String value = letters.toString();
        writeBigKeys(leader, keys, value);

        cluster.start(behind, args);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(1)).until(() -> receivingOrInstalling(behind));
        cluster.kill9(behind); // mid-stream or mid-install
        cluster.start(behind, args);
        // whichever state it came back with (its old one or the new), it must serve the old key, and then catch up
        await().atMost(Duration.ofSeconds(60)).until(() ->
                (value + "big-" + (keys - 1)).equals(body(cluster.call(behind, "GET", "/v1/kv/big-" + (keys - 1) + "?consistency=local", null))));
        assertThat(body(cluster.call(behind, "GET", "/v1/kv/before?consistency=local", null))).isEqualTo("old");
        for (int i = 0; i < keys; i += 101) {
            assertThat(body(cluster.call(behind, "GET", "/v1/kv/big-" + i + "?consistency=local", null))).isEqualTo(value + "big-" + i);
        }
    }

    /** A put (the same again if the outcome is unknown); the status of the first answer that is not 503/504 or none. */
    private int putWithRetry(String via, String key, String value) {
        int[] status = new int[1];
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(() -> {
            HttpResponse<String> r = cluster.call(via, "PUT", "/v1/kv/" + key, value);
            if (r == null || r.statusCode() == 503 || r.statusCode() == 504) return false;
            status[0] = r.statusCode();
            return true;
        });
        return status[0];
    }

    private HttpResponse<String> readWithRetry(String via, String key) {
        HttpResponse<String>[] last = new HttpResponse[1];
        await().atMost(Duration.ofSeconds(15)).until(() -> {
            last[0] = cluster.call(via, "GET", "/v1/kv/" + key, null);
            return last[0] != null && (last[0].statusCode() == 200 || last[0].statusCode() == 404);
        });
        return last[0];
    }

    private static String body(HttpResponse<String> r) {
        return r == null ? "" : r.body();
    }
}
