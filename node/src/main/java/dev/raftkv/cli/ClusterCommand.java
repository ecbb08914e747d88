package dev.raftkv.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import dev.raftkv.node.HumongousValues;

import java.io.File;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code raftkv cluster up|status|stop|start|down}: a local cluster of node processes in one
 * directory, with their logs, pid files and data.
 */
@Command(name = "cluster", mixinStandardHelpOptions = true,
        description = "Runs a local cluster of raftkv nodes as background processes (logs, pids and data in --dir).")
public final class ClusterCommand {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--dir", defaultValue = "raftkv-cluster", scope = picocli.CommandLine.ScopeType.INHERIT,
            description = "The cluster's directory (default ./${DEFAULT-VALUE}).")
    Path dir;

    @Command(name = "up", mixinStandardHelpOptions = true, description = "Starts every node that is not running (the same cluster, with its data, if --dir holds one), waits for a leader and prints the nodes.")
    int up(@Option(names = "--nodes", defaultValue = "3", description = "How many nodes for a new cluster (default ${DEFAULT-VALUE}).") int nodes,
           @Option(names = "--base-port", defaultValue = "7001", description = "Raft ports start here; client ports at +2000, HTTP at +1000 (default ${DEFAULT-VALUE}).") int basePort,
           @Option(names = "--join-mode", description = "Start the first node alone (--bootstrap) and let the others join it, as the original demo did.") boolean joinMode,
           @Option(names = "--tls", description = "A new cluster speaks TLS on every port: a CA and a certificate per node are made in --dir/tls.") boolean tls,
           @Option(names = "--store", defaultValue = "memory", paramLabel = "memory|rocksdb", description = "Where the nodes keep their keys (default ${DEFAULT-VALUE}); kept for later 'cluster up' on the same --dir.") String store,
           @Option(names = "--heap", paramLabel = "SIZE", description = "Each node's maximum Java heap, as -Xmx takes it (256m, 2g); the JVM's default if omitted.") String heap)
            throws Exception {
        if (nodes < 1 || nodes > 9) throw new IllegalArgumentException("--nodes must be 1..9, got " + nodes);
        LocalCluster cluster;
        dev.raftkv.node.StoreKind.parse(store);
        if (heap != null && !heap.matches("\\d+[kKmMgG]?")) throw new IllegalArgumentException("--heap is like 256m or 2g, not '" + heap + "'");
        if (LocalCluster.exists(dir)) {
            cluster = LocalCluster.load(dir);
            if (tls && cluster.tls() == null) {
                throw new IllegalArgumentException("the cluster in " + dir + " was made without TLS; make a TLS cluster in another --dir");
            }
            System.out.println("restarting the cluster in " + dir.toAbsolutePath() + " (" + cluster.members().size() + " nodes, "
                    + cluster.store() + " store" + (cluster.tls() == null ? "" : ", TLS") + ")");
        } else {
            cluster = LocalCluster.create(nodes, basePort, basePort + 2000, basePort + 1000, joinMode, tls, store, heap);
            cluster.save(dir);
            cluster.issueCertificates(dir);
        }
        for (LocalCluster.Member m : cluster.members()) startNode(cluster, m);
        waitForLeader(cluster, Duration.ofSeconds(30));
        waitForVoters(cluster, cluster.members().stream().map(LocalCluster.Member::id).toList(), Duration.ofSeconds(30));
        printTable(cluster);
        return 0;
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Adds one more node to the running cluster: it starts, joins as a learner, catches up and is promoted.")
    int add() throws Exception {
        LocalCluster cluster = LocalCluster.load(dir).withNewMember();
        LocalCluster.Member m = cluster.members().get(cluster.members().size() - 1);
        cluster.save(dir);
        cluster.issueCertificates(dir);
        startNode(cluster, m);
        waitForVoters(cluster, List.of(m.id()), Duration.ofSeconds(60));
        System.out.println(m.id() + " joined the cluster");
        printTable(cluster);
        return 0;
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "Prints each node's process, role, term and addresses.")
    int status() throws Exception {
        printTable(LocalCluster.load(dir));
        return 0;
    }

    @Command(name = "stop", mixinStandardHelpOptions = true, description = "Stops one node (SIGTERM).")
    int stop(@Parameters(paramLabel = "ID") String id) throws Exception {
        LocalCluster cluster = LocalCluster.load(dir);
        cluster.member(id);
        stopNode(id);
        return 0;
    }

    @Command(name = "start", mixinStandardHelpOptions = true, description = "Starts one stopped node again.")
    int start(@Parameters(paramLabel = "ID") String id) throws Exception {
        LocalCluster cluster = LocalCluster.load(dir);
        startNode(cluster, cluster.member(id));
        return 0;
    }

    @Command(name = "down", mixinStandardHelpOptions = true, description = "Stops every node; data stays in --dir for the next 'cluster up'.")
    int down() throws Exception {
        for (LocalCluster.Member m : LocalCluster.load(dir).members()) stopNode(m.id());
        return 0;
    }

    private Path pidFile(String id) {
        return dir.resolve(id + ".pid");
    }

    private Optional<ProcessHandle> running(String id) throws IOException {
        Path pid = pidFile(id);
        if (!Files.exists(pid)) return Optional.empty();
        long p = Long.parseLong(Files.readString(pid).trim());
        return ProcessHandle.of(p).filter(ProcessHandle::isAlive);
    }

    private void startNode(LocalCluster cluster, LocalCluster.Member m) throws Exception {
        if (running(m.id()).isPresent()) {
            System.out.println(m.id() + " is already running");
            return;
        }
        List<String> cmd = new ArrayList<>(launcher(cluster.heap()));
        cmd.addAll(List.of("node", "--store", cluster.store(),
                "--id", m.id(), "--raft", m.raft(), "--client", m.client(), "--http", m.http(),
                "--peer-http", cluster.peerHttpFlag(), "--peer-client", cluster.peerClientFlag(),
                "--data-dir", dir.resolve(m.id()).toString()));
        if (cluster.clusterId() != null) cmd.addAll(List.of("--cluster-id", cluster.clusterId()));
        dev.raftkv.transport.Tls.NodeFiles tls = cluster.tlsOf(dir, m.id());
        if (tls != null) {
            cmd.addAll(List.of("--tls-cert", tls.cert().toString(), "--tls-key", tls.key().toString(), "--tls-ca", tls.ca().toString()));
        }
        // with data, a node ignores these: its membership is in its log
        switch (m.how()) {
            case PEERS -> cmd.addAll(List.of("--peers", cluster.peersFlag()));
            case BOOTSTRAP -> cmd.add("--bootstrap");
            case JOIN -> cmd.addAll(List.of("--join", cluster.joinFlag(m.id())));
        }
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(m.id() + ".log").toFile()));
        // secrets in the environment, not on the command line, where ps shows them
        pb.environment().put("RAFTKV_COOKIE", cluster.cookie());
        if (cluster.adminToken() != null) pb.environment().put("RAFTKV_ADMIN_TOKEN", cluster.adminToken());
        if (cluster.clientToken() != null) pb.environment().put("RAFTKV_CLIENT_TOKEN", cluster.clientToken());
        Process p = pb.start();
        Files.writeString(pidFile(m.id()), Long.toString(p.pid()));
        System.out.println("started " + m.id() + " (pid " + p.pid() + ", log " + dir.resolve(m.id() + ".log") + ")");
    }

    private void stopNode(String id) throws Exception {
        Optional<ProcessHandle> p = running(id);
        if (p.isEmpty()) {
            System.out.println(id + " is not running");
            return;
        }
        p.get().destroy();
        try {
            p.get().onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            p.get().destroyForcibly();
        }
        Files.deleteIfExists(pidFile(id));
        System.out.println("stopped " + id);
    }

    private void waitForLeader(LocalCluster cluster, Duration bound) throws Exception {
        awaitLeaderStatus(cluster, s -> true, bound, "no leader");
    }

    /** Waits until the cluster's membership counts every one of {@code ids} as a voter. */
    private void waitForVoters(LocalCluster cluster, List<String> ids, Duration bound) throws Exception {
        awaitLeaderStatus(cluster, s -> {
            List<String> voters = new ArrayList<>();
            s.path("members").forEach(v -> {
                if (v.path("voter").asBoolean()) voters.add(v.path("id").asText());
            });
            return voters.containsAll(ids);
        }, bound, "not all of " + ids + " became voters");
    }

    /** Polls the members until one reports itself leader with a status that satisfies {@code ready}. */
    private void awaitLeaderStatus(LocalCluster cluster, java.util.function.Predicate<JsonNode> ready, Duration bound,
                                   String failure) throws Exception {
        long deadline = System.nanoTime() + bound.toNanos();
        while (System.nanoTime() < deadline) {
            for (LocalCluster.Member m : cluster.members()) {
                JsonNode s = status(cluster, m);
                if (s != null && "leader".equals(s.path("role").asText()) && ready.test(s)) return;
            }
            Thread.sleep(100); // a person is waiting at a terminal; polling ten times a second is plenty
        }
        throw new IllegalStateException(failure + " within " + bound.toSeconds() + " s; see the logs in " + dir.toAbsolutePath());
    }

    /** One client for every status poll: a new one each time would pay a cold TLS handshake ten times a second. */
    private HttpCluster statusClient;

    private JsonNode status(LocalCluster cluster, LocalCluster.Member m) {
        try {
            if (statusClient == null) statusClient = new HttpCluster(cluster.httpAddresses(), cluster.clientSecurity(dir, true));
            HttpResponse<byte[]> r = statusClient.sendTo(m.http(), "GET", "/v1/status", null);
            return r.statusCode() == 200 ? JSON.readTree(r.body()) : null;
        } catch (Exception e) {
            return null;
        }
    }

    private void printTable(LocalCluster cluster) throws IOException {
        System.out.printf("%-4s %-8s %-10s %-5s %-16s %-16s %-16s%n", "id", "pid", "role", "term", "raft", "http", "client");
        for (LocalCluster.Member m : cluster.members()) {
            Optional<ProcessHandle> p = running(m.id());
            JsonNode s = p.isPresent() ? status(cluster, m) : null;
            System.out.printf("%-4s %-8s %-10s %-5s %-16s %-16s %-16s%n", m.id(),
                    p.map(h -> Long.toString(h.pid())).orElse("-"),
                    p.isEmpty() ? "stopped" : s == null ? "starting" : s.path("role").asText(),
                    s == null ? "-" : s.path("term").asText(), m.raft(), m.http(), m.client());
        }
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * How to start a node with the very same build: {@code java -jar} this JAR, or, when running from
     * classes (tests, an IDE), {@code java -cp} this classpath and the CLI's main class.
     */
    private static List<String> launcher(String heap) throws Exception {
        List<String> java = new ArrayList<>(List.of(javaBinary()));
        if (heap != null) java.add("-Xmx" + heap);
        // a node out of memory ends with a message rather than limp on with threads that died
        java.add("-XX:+ExitOnOutOfMemoryError");
        // 1 MiB values as ordinary objects, not humongous ones that take twice their size (HumongousValues)
        java.add(HumongousValues.REGION_FLAG);
        File f = new File(ClusterCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        if (f.isFile()) {
            java.addAll(List.of("-jar", f.getAbsolutePath()));
        } else {
            java.addAll(List.of("-cp", System.getProperty("java.class.path"), RaftkvCli.class.getName()));
        }
        return java;
    }
}
