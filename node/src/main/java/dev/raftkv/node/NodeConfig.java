package dev.raftkv.node;

import dev.raftkv.kv.KvLimits;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything one node needs to run. How a brand-new node learns its cluster is one of: {@code peers}
 * (every member id, this node included, to its Raft address: a fixed starting membership),
 * {@code bootstrap} (a one-node cluster of its own) or {@code join} (members' HTTP addresses to ask for
 * admission). A node with data needs none of them: its membership is in its log. {@code peerHttp} maps
 * member ids to HTTP addresses where known (for forwarding), and {@code peerClient} to binary-protocol
 * addresses (what NOT_LEADER tells clients); members added later bring theirs in the log.
 * {@code client} is null when this node serves no binary client protocol; {@code clientMaxInFlight} caps
 * the requests served at once per client connection. {@code store} is where the keys live.
 * {@code security} holds the cluster id, TLS files and tokens ({@link NodeSecurity#NONE}: none of them).
 * A snapshot is taken after {@code snapshotEveryEntries} applied entries or {@code snapshotEveryBytes} bytes of
 * them, whichever comes first (0: never by that measure); the bytes bound the log held on the heap.
 * {@code edge} bounds what clients may hold of the node: connections, header sizes, timeouts, bytes in flight.
 */
public record NodeConfig(String id, InetSocketAddress raft, InetSocketAddress client, InetSocketAddress http,
                         Map<String, InetSocketAddress> peers, Map<String, String> peerHttp, Map<String, String> peerClient,
                         Path dataDir, String cookie, long tickMillis, int electionTicks,
                         long snapshotEveryEntries, KvLimits limits, Duration requestTimeout, int clientMaxInFlight,
                         boolean bootstrap, List<String> join, StoreKind store, NodeSecurity security,
                         long snapshotEveryBytes, EdgeLimits edge) {
    /** 64 MiB: the log a node holds in memory between snapshots, whatever the values' sizes (10,000 entries of 1 MiB would be 10 GiB). */
    public static final long DEFAULT_SNAPSHOT_EVERY_BYTES = 64L * 1024 * 1024;

    public NodeConfig {
        if (security == null) security = NodeSecurity.NONE;
        if (edge == null) edge = EdgeLimits.defaults();
        if (id == null || id.isBlank()) throw new IllegalArgumentException("--id is required");
        int ways = (peers.isEmpty() ? 0 : 1) + (bootstrap ? 1 : 0) + (join.isEmpty() ? 0 : 1);
        if (ways > 1) throw new IllegalArgumentException("give at most one of --peers, --bootstrap and --join");
        if (!peers.isEmpty() && !peers.containsKey(id)) {
            throw new IllegalArgumentException("--peers must name this node (" + id + ") too; got " + peers.keySet());
        }
        peers = Map.copyOf(peers);
        peerHttp = Map.copyOf(peerHttp);
        peerClient = Map.copyOf(peerClient);
        join = List.copyOf(join);
        if (tickMillis < 1 || electionTicks < 2) throw new IllegalArgumentException("tick must be >= 1 ms and election >= 2 ticks");
        if (clientMaxInFlight < 1) throw new IllegalArgumentException("--client-max-in-flight must be >= 1, got " + clientMaxInFlight);
        if (store == null) store = StoreKind.MEMORY;
        if (snapshotEveryEntries < 0 || snapshotEveryBytes < 0) {
            throw new IllegalArgumentException("--snapshot-every and --snapshot-every-bytes must be >= 0 (0: never), got "
                    + snapshotEveryEntries + " and " + snapshotEveryBytes);
        }
    }

    /** Every setting, with a snapshot at least every {@link #DEFAULT_SNAPSHOT_EVERY_BYTES} bytes of log. */
    public NodeConfig(String id, InetSocketAddress raft, InetSocketAddress client, InetSocketAddress http,
                      Map<String, InetSocketAddress> peers, Map<String, String> peerHttp, Map<String, String> peerClient,
                      Path dataDir, String cookie, long tickMillis, int electionTicks,
                      long snapshotEveryEntries, KvLimits limits, Duration requestTimeout, int clientMaxInFlight,
                      boolean bootstrap, List<String> join, StoreKind store, NodeSecurity security) {
        this(id, raft, client, http, peers, peerHttp, peerClient, dataDir, cookie, tickMillis, electionTicks,
                snapshotEveryEntries, limits, requestTimeout, clientMaxInFlight, bootstrap, join, store, security,
                DEFAULT_SNAPSHOT_EVERY_BYTES);
    }

    /** Every setting but the edge's limits, which take their defaults ({@link EdgeLimits#defaults()}). */
    public NodeConfig(String id, InetSocketAddress raft, InetSocketAddress client, InetSocketAddress http,
                      Map<String, InetSocketAddress> peers, Map<String, String> peerHttp, Map<String, String> peerClient,
                      Path dataDir, String cookie, long tickMillis, int electionTicks,
                      long snapshotEveryEntries, KvLimits limits, Duration requestTimeout, int clientMaxInFlight,
                      boolean bootstrap, List<String> join, StoreKind store, NodeSecurity security,
                      long snapshotEveryBytes) {
        this(id, raft, client, http, peers, peerHttp, peerClient, dataDir, cookie, tickMillis, electionTicks,
                snapshotEveryEntries, limits, requestTimeout, clientMaxInFlight, bootstrap, join, store, security,
                snapshotEveryBytes, null);
    }

    /** Every setting but the store and security: the memory store, without a cluster id of its own, TLS or tokens. */
    public NodeConfig(String id, InetSocketAddress raft, InetSocketAddress client, InetSocketAddress http,
                      Map<String, InetSocketAddress> peers, Map<String, String> peerHttp, Map<String, String> peerClient,
                      Path dataDir, String cookie, long tickMillis, int electionTicks,
                      long snapshotEveryEntries, KvLimits limits, Duration requestTimeout, int clientMaxInFlight,
                      boolean bootstrap, List<String> join) {
        this(id, raft, client, http, peers, peerHttp, peerClient, dataDir, cookie, tickMillis, electionTicks,
                snapshotEveryEntries, limits, requestTimeout, clientMaxInFlight, bootstrap, join, StoreKind.MEMORY,
                NodeSecurity.NONE);
    }

    /** A node of a fixed starting membership ({@code --peers}), with the default in-flight cap per client connection. */
    public NodeConfig(String id, InetSocketAddress raft, InetSocketAddress client, InetSocketAddress http,
                      Map<String, InetSocketAddress> peers, Map<String, String> peerHttp, Map<String, String> peerClient,
                      Path dataDir, String cookie, long tickMillis, int electionTicks,
                      long snapshotEveryEntries, KvLimits limits, Duration requestTimeout) {
        this(id, raft, client, http, peers, peerHttp, peerClient, dataDir, cookie, tickMillis, electionTicks,
                snapshotEveryEntries, limits, requestTimeout, ClientServer.DEFAULT_MAX_IN_FLIGHT, false, List.of());
    }

    public NodeConfig withSecurity(NodeSecurity s) {
        return new NodeConfig(id, raft, client, http, peers, peerHttp, peerClient, dataDir, cookie, tickMillis,
                electionTicks, snapshotEveryEntries, limits, requestTimeout, clientMaxInFlight, bootstrap, join, store, s,
                snapshotEveryBytes, edge);
    }

    public NodeConfig withBootstrap() {
        return new NodeConfig(id, raft, client, http, Map.of(), peerHttp, peerClient, dataDir, cookie, tickMillis,
                electionTicks, snapshotEveryEntries, limits, requestTimeout, clientMaxInFlight, true, List.of(), store,
                security, snapshotEveryBytes, edge);
    }

    public NodeConfig withJoin(List<String> httpAddresses) {
        return new NodeConfig(id, raft, client, http, Map.of(), peerHttp, peerClient, dataDir, cookie, tickMillis,
                electionTicks, snapshotEveryEntries, limits, requestTimeout, clientMaxInFlight, false, httpAddresses, store,
                security, snapshotEveryBytes, edge);
    }

    public NodeConfig withStore(StoreKind kind) {
        return new NodeConfig(id, raft, client, http, peers, peerHttp, peerClient, dataDir, cookie, tickMillis,
                electionTicks, snapshotEveryEntries, limits, requestTimeout, clientMaxInFlight, bootstrap, join, kind,
                security, snapshotEveryBytes, edge);
    }

    public NodeConfig withSnapshotEveryBytes(long bytes) {
        return new NodeConfig(id, raft, client, http, peers, peerHttp, peerClient, dataDir, cookie, tickMillis,
                electionTicks, snapshotEveryEntries, limits, requestTimeout, clientMaxInFlight, bootstrap, join, store,
                security, bytes, edge);
    }

    public NodeConfig withEdge(EdgeLimits e) {
        return new NodeConfig(id, raft, client, http, peers, peerHttp, peerClient, dataDir, cookie, tickMillis,
                electionTicks, snapshotEveryEntries, limits, requestTimeout, clientMaxInFlight, bootstrap, join, store,
                security, snapshotEveryBytes, e);
    }

    /** Parses {@code n1=127.0.0.1:7001,n2=127.0.0.1:7002}. */
    public static Map<String, InetSocketAddress> parsePeers(String spec) {
        Map<String, InetSocketAddress> out = new LinkedHashMap<>();
        for (String part : spec.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) continue;
            int eq = p.indexOf('=');
            if (eq <= 0) throw new IllegalArgumentException("a peer is ID=HOST:PORT, got '" + p + "'");
            out.put(p.substring(0, eq), parseAddress(p.substring(eq + 1)));
        }
        if (out.isEmpty()) throw new IllegalArgumentException("--peers is empty");
        return out;
    }

    public static InetSocketAddress parseAddress(String hostPort) {
        return dev.raftkv.transport.Addresses.parseResolved(hostPort); // HOST:PORT or [IPv6]:PORT
    }
}
