package dev.raftkv.cli;

import dev.raftkv.transport.Addresses;
import dev.raftkv.kv.KvLimits;
import dev.raftkv.node.ClientServer;
import dev.raftkv.node.EdgeLimits;
import dev.raftkv.node.NodeConfig;
import dev.raftkv.node.NodeSecurity;
import dev.raftkv.node.RaftkvNode;
import dev.raftkv.node.StoreKind;
import dev.raftkv.node.UnsafeControls;
import dev.raftkv.raft.server.FatalError;
import dev.raftkv.transport.Tls;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code raftkv node}: runs one member in the foreground until SIGTERM or SIGINT. It accepts no switch that
 * weakens safety: the test harness starts nodes through a test-only entry point of its own, which
 * overrides {@link #unsafeControls()}.
 */
@Command(name = "node", mixinStandardHelpOptions = true, description = "Runs one raftkv node in the foreground.")
public class NodeCommand implements Callable<Integer> {
    @Option(names = "--id", description = "This node's id (letters, digits, '.', '_', '-').")
    String id;

    @Option(names = "--raft", paramLabel = "HOST:PORT", description = "Where peers connect.")
    String raft;

    @Option(names = "--client", paramLabel = "HOST:PORT", description = "Where the binary client protocol (KvClient, bench) is served; not served if omitted.")
    String client;

    @Option(names = "--http", paramLabel = "HOST:PORT", description = "The HTTP/JSON API.")
    String http;

    @Option(names = "--peers", paramLabel = "ID=HOST:PORT,...",
            description = "A new cluster of these members: every member's Raft address, this node included.")
    String peers;

    @Option(names = "--bootstrap", description = "A new cluster of this node alone; others may --join it.")
    boolean bootstrap;

    @Option(names = "--join", paramLabel = "HTTP_ADDR,...",
            description = "Join a running cluster: ask these members (their HTTP addresses) to add this node.")
    String join;

    @Option(names = "--peer-http", paramLabel = "ID=HOST:PORT,...", description = "Members' HTTP addresses, so that followers can forward to the leader.")
    String peerHttp;

    @Option(names = "--peer-client", paramLabel = "ID=HOST:PORT,...", description = "Members' client addresses, so that followers can tell clients where the leader is.")
    String peerClient;

    @Option(names = "--data-dir", description = "Where the log, hard state and snapshots live.")
    Path dataDir;

    @Option(names = "--cookie", description = "The cluster's shared secret (default: $RAFTKV_COOKIE).")
    String cookie;

    @Option(names = "--tick-ms", defaultValue = "100", description = "Milliseconds per tick; heartbeats go out every tick (default ${DEFAULT-VALUE}).")
    long tickMillis;

    @Option(names = "--election-ticks", defaultValue = "10", description = "Election timeout in ticks, randomized up to twice that (default ${DEFAULT-VALUE}).")
    int electionTicks;

    @Option(names = "--snapshot-every", defaultValue = "10000", description = "Take a snapshot after this many applied entries (default ${DEFAULT-VALUE}).")
    long snapshotEvery;

    @Option(names = "--snapshot-every-bytes", defaultValue = "" + NodeConfig.DEFAULT_SNAPSHOT_EVERY_BYTES,
            description = "... or after this many bytes of applied entries, whichever comes first: the log held in memory"
                    + " stays about this small whatever the values' sizes (0: never by bytes; default ${DEFAULT-VALUE}).")
    long snapshotEveryBytes;

    @Option(names = "--store", defaultValue = "memory", paramLabel = "memory|rocksdb",
            description = "Where the keys live: memory (a sorted map on the heap, restored from the latest snapshot at start) "
                    + "or rocksdb (RocksDB in <data-dir>/kv: data larger than memory, restarts in seconds) (default ${DEFAULT-VALUE}).")
    String store;

    @Option(names = "--max-key-bytes", defaultValue = "4096")
    int maxKeyBytes;

    @Option(names = "--max-value-bytes", defaultValue = "1048576",
            description = "The largest value (default ${DEFAULT-VALUE}); a compare-and-set of two must fit in one Raft frame,"
                    + " so at most about 8 MiB, less the key.")
    int maxValueBytes;

    @Option(names = "--request-timeout-ms", defaultValue = "5000", description = "A write with no answer by then is reported as 504 outcome unknown.")
    long requestTimeoutMillis;

    @Option(names = "--cluster-id", paramLabel = "ID",
            description = "A new cluster's id (default: made at --bootstrap, a hash of --peers, learned at --join); peers of"
                    + " another cluster are refused. A node with data keeps its own and refuses another.")
    String clusterId;

    @Option(names = "--tls-cert", paramLabel = "PEM", description = "This node's certificate (chain); with --tls-key and"
            + " --tls-ca, every port speaks TLS 1.3 (the Raft port mutual).")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "PEM", description = "This node's private key (PKCS#8).")
    Path tlsKey;

    @Option(names = "--tls-ca", paramLabel = "PEM", description = "The CA that signs every member's certificate.")
    Path tlsCa;

    @Option(names = "--client-token", paramLabel = "TOKEN",
            description = "Bearer token for reads and writes (default: $RAFTKV_CLIENT_TOKEN); needs an admin token too.")
    String clientToken;

    @Option(names = "--admin-token", paramLabel = "TOKEN",
            description = "Bearer token for membership changes, leadership transfer and everything else (default: $RAFTKV_ADMIN_TOKEN).")
    String adminToken;

    public NodeCommand() {
    }

    /** Test-only switches: none in the product ({@code raftkv node}); the harness's entry point overrides this. */
    protected UnsafeControls unsafeControls() {
        return UnsafeControls.NONE;
    }

    private java.util.List<String> joinAddresses() {
        if (join == null) return java.util.List.of();
        java.util.List<String> out = new java.util.ArrayList<>();
        for (String a : join.split(",")) {
            if (a.isBlank()) continue;
            NodeConfig.parseAddress(a.trim());
            out.add(a.trim());
        }
        if (out.isEmpty()) throw new IllegalArgumentException("--join needs at least one member's HTTP address");
        return out;
    }

    /**
     * The --store asked for, which must be the one the data directory was written with: the memory store's
     * data is in its snapshots and log, RocksDB's in {@code kv/}; starting the other kind would start empty.
     */
    static StoreKind storeKind(String store, Path dir) throws java.io.IOException {
        StoreKind kind = StoreKind.parse(store);
        boolean rocksData = java.nio.file.Files.isDirectory(dir.resolve("kv"));
        if (kind == StoreKind.MEMORY && rocksData) {
            throw new IllegalArgumentException(dir + " holds a RocksDB store (" + dir.resolve("kv")
                    + "): start this node with --store rocksdb");
        }
        if (kind == StoreKind.ROCKSDB && !rocksData && java.nio.file.Files.isDirectory(dir.resolve("log")) && hasData(dir.resolve("log"))) {
            throw new IllegalArgumentException(dir + " was written with the memory store: start this node with --store memory "
                    + "(or give it a new --data-dir and let it catch up from the cluster)");
        }
        return kind;
    }

    private static boolean hasData(Path dir) throws java.io.IOException {
        if (!java.nio.file.Files.isDirectory(dir)) return false;
        try (var files = java.nio.file.Files.list(dir)) {
            return files.findAny().isPresent();
        }
    }

    // ---------------------------------------------------------------- config file and client in-flight cap
    // --id, --raft, --http and --data-dir are required, from the command line or the file

    @Option(names = "--config", paramLabel = "FILE",
            description = "A JSON object with any of these settings, named like the flags without the dashes (\"data-dir\", "
                    + "\"tick-ms\"; peers as {\"n1\": \"HOST:PORT\", ...}). Flags on the command line win.")
    Path configFile;

    @Option(names = "--client-max-in-flight", defaultValue = "" + ClientServer.DEFAULT_MAX_IN_FLIGHT,
            description = "Requests served at once per client connection; beyond it the node stops reading from that connection (default ${DEFAULT-VALUE}).")
    int clientMaxInFlight;

    // ---------------------------------------------------------------- what clients may hold of the node (README, "Limits")

    @Option(names = "--http-max-connections", defaultValue = "" + EdgeLimits.DEFAULT_HTTP_MAX_CONNECTIONS,
            description = "HTTP connections open at once; one more is answered 503 and closed (default ${DEFAULT-VALUE}).")
    int httpMaxConnections;

    @Option(names = "--http-max-header-bytes", defaultValue = "" + EdgeLimits.DEFAULT_HTTP_MAX_HEADER_BYTES,
            description = "The header block of one HTTP request; larger is answered 431 (default ${DEFAULT-VALUE}).")
    int httpMaxHeaderBytes;

    @Option(names = "--http-read-timeout-ms", defaultValue = "" + EdgeLimits.DEFAULT_HTTP_READ_TIMEOUT_MS,
            description = "An HTTP request must arrive in full within this of its first byte, or it is answered 408 and the"
                    + " connection closed (default ${DEFAULT-VALUE}).")
    long httpReadTimeoutMillis;

    @Option(names = "--http-idle-timeout-ms", defaultValue = "" + EdgeLimits.DEFAULT_HTTP_IDLE_TIMEOUT_MS,
            description = "An HTTP connection with nothing to read or answer for this long is closed (default ${DEFAULT-VALUE}).")
    long httpIdleTimeoutMillis;

    @Option(names = "--client-max-connections", defaultValue = "" + EdgeLimits.DEFAULT_CLIENT_MAX_CONNECTIONS,
            description = "Binary-protocol connections open at once; one more is closed (default ${DEFAULT-VALUE}).")
    int clientMaxConnections;

    @Option(names = "--client-max-in-flight-bytes", defaultValue = "" + EdgeLimits.DEFAULT_CLIENT_MAX_IN_FLIGHT_BYTES,
            description = "Bytes of requests and answers one client connection may hold in the node; beyond it the node stops"
                    + " reading from that connection (default ${DEFAULT-VALUE}).")
    long clientMaxInFlightBytes;

    @Option(names = "--max-in-flight-bytes", paramLabel = "BYTES",
            description = "Bytes of requests and answers the node holds for all its clients (both ports); a request beyond"
                    + " it is answered 503 / OVERLOADED, not applied (default: an eighth of the heap, at least 16 MiB).")
    Long maxInFlightBytes;

    @Option(names = "--max-in-flight-requests", defaultValue = "" + EdgeLimits.DEFAULT_MAX_IN_FLIGHT_REQUESTS,
            description = "Requests the node serves at once for all its clients (both ports), the same way (default ${DEFAULT-VALUE}).")
    int maxInFlightRequests;

    EdgeLimits edgeLimits() {
        return new EdgeLimits(httpMaxConnections, httpMaxHeaderBytes, Duration.ofMillis(httpReadTimeoutMillis),
                Duration.ofMillis(httpIdleTimeoutMillis), clientMaxConnections, clientMaxInFlightBytes,
                maxInFlightBytes != null ? maxInFlightBytes : EdgeLimits.defaultMaxInFlightBytes(), maxInFlightRequests);
    }

    @Spec
    CommandSpec spec;

    /** Takes from --config what the command line did not give, then checks that nothing required is missing. */
    void resolveSettings() {
        if (configFile != null) {
            ParseResult given = spec.commandLine().getParseResult();
            NodeConfigFile.read(configFile).applyTo(this, given::hasMatchedOption);
        }
        String from = configFile == null ? "" : " (or in " + configFile + ")";
        if (id == null) throw new IllegalArgumentException("missing --id" + from);
        if (raft == null) throw new IllegalArgumentException("missing --raft" + from);
        if (http == null) throw new IllegalArgumentException("missing --http" + from);
        if (dataDir == null) throw new IllegalArgumentException("missing --data-dir" + from);
    }

    /** The cluster id, TLS files and tokens: flag first, then the config file, then the environment (tokens). */
    private NodeSecurity security() {
        boolean anyTls = tlsCert != null || tlsKey != null || tlsCa != null;
        Tls.NodeFiles tls = anyTls ? new Tls.NodeFiles(tlsCert, tlsKey, tlsCa) : null;
        String client = clientToken != null ? clientToken : emptyToNull(System.getenv("RAFTKV_CLIENT_TOKEN"));
        String admin = adminToken != null ? adminToken : emptyToNull(System.getenv("RAFTKV_ADMIN_TOKEN"));
        return new NodeSecurity(clusterId, tls, client, admin);
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    // ----------------------------------------------------------------

    @Override
    public Integer call() throws Exception {
        resolveSettings();
        String secret = cookie != null ? cookie : System.getenv("RAFTKV_COOKIE");
        if (secret == null || secret.isEmpty()) {
            throw new IllegalArgumentException("no cluster cookie: pass --cookie or set RAFTKV_COOKIE (every member needs the same one)");
        }
        // what we were told of the members, ourselves not added: every node given the same flags must write the same
        // first entry (our own addresses reach the membership through EndpointPublisher)
        Map<String, String> httpOf = new LinkedHashMap<>();
        if (peerHttp != null) {
            NodeConfig.parsePeers(peerHttp).forEach((peer, addr) -> httpOf.put(peer, Addresses.format(addr)));
        }
        InetSocketAddress httpAddr = NodeConfig.parseAddress(http);
        Map<String, String> clientOf = new LinkedHashMap<>();
        if (peerClient != null) {
            NodeConfig.parsePeers(peerClient).forEach((peer, addr) -> clientOf.put(peer, Addresses.format(addr)));
        }
        InetSocketAddress clientAddr = client == null ? null : NodeConfig.parseAddress(client);
        NodeConfig cfg = new NodeConfig(id, NodeConfig.parseAddress(raft), clientAddr, httpAddr,
                peers == null ? Map.of() : NodeConfig.parsePeers(peers),
                httpOf, clientOf, dataDir, secret, tickMillis, electionTicks, snapshotEvery, new KvLimits(maxKeyBytes, maxValueBytes),
                Duration.ofMillis(requestTimeoutMillis), clientMaxInFlight, bootstrap, joinAddresses(), storeKind(store, dataDir),
                NodeSecurity.NONE).withSnapshotEveryBytes(snapshotEveryBytes).withEdge(edgeLimits());
        if (peers == null && !bootstrap && join == null && !hasData(dataDir)) {
            throw new IllegalArgumentException(dataDir + " holds no data, so this is a new node: say how it finds its cluster"
                    + " with --peers (a new cluster of several), --bootstrap (a new cluster of one) or --join (a running one)");
        }
        cfg = cfg.withSecurity(security());
        CountDownLatch stopped = new CountDownLatch(1);
        // fail-stop: the node stopped itself (an fsync or an apply failed); main returns 70 and the JVM exits
        java.util.concurrent.atomic.AtomicReference<FatalError> fatal = new java.util.concurrent.atomic.AtomicReference<>();
        RaftkvNode node = RaftkvNode.start(cfg, RaftkvNode.NETTY, unsafeControls(), error -> {
            fatal.compareAndSet(null, error);
            stopped.countDown();
        });
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            node.close();
            stopped.countDown();
        }, "shutdown"));
        stopped.await();
        if (fatal.get() != null) {
            System.err.println(id + " stopped: " + fatal.get().describe() + " (see the log above); its data is safe on disk");
            return 70;
        }
        return 0;
    }
}
