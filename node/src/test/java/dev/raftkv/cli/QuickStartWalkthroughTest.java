package dev.raftkv.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.time.Duration;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The README's quick start, command by command, through the real CLI and real node processes. */
class QuickStartWalkthroughTest {
    @TempDir
    Path dir;
    private Path cluster;
    private String addresses;

    private record Run(int exit, String out) {
    }

    /** Runs one CLI command in this JVM and captures what it prints. */
    private static synchronized Run cli(String... args) {
        PrintStream saved = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            int exit = RaftkvCli.commandLine().execute(args);
            return new Run(exit, buf.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(saved);
        }
    }

    /** A base port with the ports a local cluster of four uses (base, +1000, +2000, four each) all free. */
    private static int freeBasePort() throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int base;
            try (ServerSocket s = new ServerSocket(0)) {
                base = 20_000 + s.getLocalPort() % 20_000;
            }
            boolean free = true;
            for (int offset : new int[]{0, 1, 2, 3, 1000, 1001, 1002, 1003, 2000, 2001, 2002, 2003}) {
                try (ServerSocket probe = new ServerSocket(base + offset)) {
                    probe.setReuseAddress(true);
                } catch (IOException taken) {
                    free = false;
                    break;
                }
            }
            if (free) return base;
        }
        throw new IllegalStateException("no free port range found");
    }

    @AfterEach
    void down() throws IOException {
        if (cluster == null) return;
        cli("cluster", "down", "--dir", cluster.toString());
        try (Stream<Path> pids = Files.list(cluster)) {
            // whatever is still running (a failed test) is ended by its PID
            pids.filter(p -> p.toString().endsWith(".pid")).forEach(p -> {
                try {
                    ProcessHandle.of(Long.parseLong(Files.readString(p).trim())).ifPresent(ProcessHandle::destroyForcibly);
                } catch (IOException | NumberFormatException ignored) {
                    // gone already
                }
            });
        }
    }

    private String leader() {
        String status = cli("cluster", "status", "--dir", cluster.toString()).out();
        return status.lines().filter(l -> l.contains(" leader ")).map(l -> l.split("\\s+")[0]).findFirst().orElse(null);
    }

    @Test
    void theDemoWalkthroughWorksFromTheCommandLine() throws Exception {
        cluster = dir.resolve("raftkv-cluster");
        int base = freeBasePort();
        addresses = "127.0.0.1:" + (base + 1000) + ",127.0.0.1:" + (base + 1001) + ",127.0.0.1:" + (base + 1002);

        Run up = cli("cluster", "up", "--dir", cluster.toString(), "--base-port", Integer.toString(base));
        assertThat(up.exit()).as(up.out()).isZero();
        assertThat(up.out()).contains("leader");

        assertThat(cli("put", "greeting", "hello", "--cluster", addresses).out().trim()).isEqualTo("OK");
        assertThat(cli("get", "greeting", "--cluster", addresses).out().trim()).isEqualTo("hello");
        // protected by default: the CLI used the tokens from cluster.json, which only its owner may read
        assertThat(Files.getPosixFilePermissions(cluster.resolve("cluster.json")))
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        assertThat(cli("put", "greeting", "stranger", "--cluster", addresses, "--token", "guessed").exit()).isEqualTo(2);
        assertThat(HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + (base + 1000)
                        + "/v1/kv/greeting")).PUT(HttpRequest.BodyPublishers.ofString("stranger")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
        String third = "127.0.0.1:" + (base + 1002);
        await().atMost(Duration.ofSeconds(10)).until(() ->
                cli("get", "greeting", "--consistency", "local", "--cluster", third).out().trim().equals("hello"));
        assertThat(cli("cas", "greeting", "hi", "--expect", "hello", "--cluster", addresses).out()).contains("\"ok\":true");

        String old = leader();
        assertThat(old).isNotNull();
        assertThat(cli("cluster", "stop", old, "--dir", cluster.toString()).exit()).isZero();
        await().atMost(Duration.ofSeconds(15)).until(() -> {
            String now = leader();
            return now != null && !now.equals(old);
        });
        await().atMost(Duration.ofSeconds(15)).until(() ->
                cli("put", "after-failover", "yes", "--cluster", addresses).out().trim().equals("OK"));
        assertThat(cli("cluster", "start", old, "--dir", cluster.toString()).exit()).isZero();

        assertThat(cli("cluster", "down", "--dir", cluster.toString()).exit()).isZero();
        assertThat(cli("cluster", "up", "--dir", cluster.toString()).exit()).isZero();
        await().atMost(Duration.ofSeconds(15)).until(() ->
                cli("get", "after-failover", "--cluster", addresses).out().trim().equals("yes"));
        assertThat(cli("get", "greeting", "--cluster", addresses).out().trim()).isEqualTo("hi");
    }

    @Test
    void theQuickStartRunsOverTlsWithCertificatesItMakesItself() throws Exception {
        cluster = dir.resolve("tls-cluster");
        int base = freeBasePort();
        String n2 = "127.0.0.1:" + (base + 1001);
        Run up = cli("cluster", "up", "--tls", "--dir", cluster.toString(), "--base-port", Integer.toString(base));
        assertThat(up.exit()).as(up.out()).isZero();
        assertThat(cluster.resolve("tls/ca.pem")).exists();
        assertThat(Files.getPosixFilePermissions(cluster.resolve("tls/ca-key.pem"))).doesNotContain(PosixFilePermission.OTHERS_READ);
        assertThat(cli("put", "greeting", "hello", "--cluster", n2).out().trim()).isEqualTo("OK");
        assertThat(cli("get", "greeting", "--cluster", n2).out().trim()).isEqualTo("hello");
        assertThat(cli("members", "--cluster", n2).out()).containsPattern("n3\\s+(voter|leader)"); // any of the three may lead
        // plain text is not spoken there
        assertThat(cli("get", "greeting", "--cluster", n2, "--ca", cluster.resolve("tls/ca-key.pem").toString()).exit())
                .isNotZero();
    }

    /** The last lines of a node's log, for a failure message. */
    private static String logTail(Path clusterDir, String id) {
        try {
            List<String> lines = Files.readAllLines(clusterDir.resolve(id + ".log"));
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** The second half of the quick start: the demo's way, one node first and the others joining it. */
    @Test
    void nodesJoinARunningClusterFromTheCommandLine() throws Exception {
        cluster = dir.resolve("raftkv-cluster");
        int base = freeBasePort();
        String n1 = "127.0.0.1:" + (base + 1000);
        String n4 = "127.0.0.1:" + (base + 1003);
        String d = cluster.toString();

        Run up = cli("cluster", "up", "--join-mode", "--dir", d, "--base-port", Integer.toString(base));
        assertThat(up.exit()).as(up.out()).isZero();
        assertThat(cli("put", "greeting", "hello", "--cluster", n1).out().trim()).isEqualTo("OK");

        Run add = cli("cluster", "add", "--dir", d);
        assertThat(add.exit()).as("%s%nn4's log:%n%s%nn1's log:%n%s", add.out(), logTail(cluster, "n4"), logTail(cluster, "n1"))
                .isZero();
        assertThat(add.out()).contains("n4 joined the cluster");
        Run members = cli("members", "--cluster", n1);
        assertThat(members.out()).containsPattern("n4\\s+voter");

        Run transfer = cli("leader", "transfer", "n4", "--cluster", n1);
        assertThat(transfer.out().trim()).as(transfer.out()).isEqualTo("n4 now leads");
        assertThat(cli("members", "remove", "n1", "--cluster", n4).out().trim()).isEqualTo("n1 removed");
        Run after = cli("members", "--cluster", n4);
        assertThat(after.out()).contains("n4       leader").doesNotContain("n1 ");
        assertThat(cli("get", "greeting", "--consistency", "local", "--cluster", n4).out().trim()).isEqualTo("hello");
    }
}
