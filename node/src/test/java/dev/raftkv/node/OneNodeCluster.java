package dev.raftkv.node;

import dev.raftkv.kv.KvLimits;
import dev.raftkv.raft.Message;
import dev.raftkv.raft.Role;
import dev.raftkv.raft.server.Snapshot;
import dev.raftkv.raft.server.Transport;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.awaitility.Awaitility.await;

/** A one-member cluster on 127.0.0.1, OS-chosen ports, serving HTTP and the client protocol; it leads itself. */
public final class OneNodeCluster {
    /** A transport for a cluster of one: there is nobody to send to. */
    static final RaftkvNode.TransportFactory NO_PEERS = (config, inbound) -> new Transport() {
        @Override
        public void send(Message message) {
        }

        @Override
        public void sendSnapshot(Message.InstallSnapshot message, Snapshot snapshot) {
        }
    };

    private OneNodeCluster() {
    }

    public static RaftkvNode start(Path dir, KvLimits limits) throws Exception {
        return start(dir, limits, ClientServer.DEFAULT_MAX_IN_FLIGHT);
    }

    public static RaftkvNode start(Path dir, KvLimits limits, int clientMaxInFlight) throws Exception {
        return start(dir, limits, clientMaxInFlight, StoreKind.MEMORY);
    }

    public static RaftkvNode start(Path dir, KvLimits limits, int clientMaxInFlight, StoreKind store) throws Exception {
        return start(dir, limits, clientMaxInFlight, store, EdgeLimits.defaults());
    }

    /** With the given limits on what clients may hold of the node. */
    public static RaftkvNode start(Path dir, KvLimits limits, EdgeLimits edge) throws Exception {
        return start(dir, limits, ClientServer.DEFAULT_MAX_IN_FLIGHT, StoreKind.MEMORY, edge);
    }

    /** Every port on {@code host} (an IPv6 literal such as {@code ::1} too). */
    public static RaftkvNode startOn(Path dir, String host) throws Exception {
        return start(dir, KvLimits.DEFAULT, ClientServer.DEFAULT_MAX_IN_FLIGHT, StoreKind.MEMORY, EdgeLimits.defaults(), host);
    }

    private static RaftkvNode start(Path dir, KvLimits limits, int clientMaxInFlight, StoreKind store, EdgeLimits edge)
            throws Exception {
        return start(dir, limits, clientMaxInFlight, store, edge, "127.0.0.1");
    }

    private static RaftkvNode start(Path dir, KvLimits limits, int clientMaxInFlight, StoreKind store, EdgeLimits edge,
                                    String host) throws Exception {
        InetSocketAddress any = new InetSocketAddress(host, 0);
        NodeConfig cfg = new NodeConfig("n1", any, any, any, Map.of("n1", new InetSocketAddress(host, 1)),
                Map.of(), Map.of(), dir, "cookie", 10, 10, 1000, limits, Duration.ofSeconds(5), clientMaxInFlight, false,
                java.util.List.of(), store, NodeSecurity.NONE).withEdge(edge);
        RaftkvNode node = RaftkvNode.start(cfg, NO_PEERS);
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> node.server().status().get().role() == Role.LEADER);
        } catch (RuntimeException e) {
            node.close();
            throw e;
        }
        return node;
    }
}
