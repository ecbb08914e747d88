package dev.raftkv.sim;

import dev.raftkv.kv.KvCodec;
import dev.raftkv.kv.KvCommand;
import dev.raftkv.raft.ClusterConfig;
import dev.raftkv.raft.RaftConfig;
import dev.raftkv.raft.Role;
import dev.raftkv.raft.server.RaftServer;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/**
 * A few real RaftServers in the simulator's world, for scenario tests that script their own faults in
 * virtual time: no drops, short delays, fast fsyncs. A checker's violation fails the test at once.
 */
final class SimCluster {
    static final long TICK_MILLIS = 10;
    static final int ELECTION_TICKS = 10;

    final SimWorld world = new SimWorld(1, 200);
    final SimNetwork network = new SimNetwork(new Random(2), new SimNetwork.Conditions(0, 0, 1, 2),
            Simulation.MAX_ENTRY_BYTES, Simulation.MAX_FRAME_BYTES);
    final LogRegistry registry = new LogRegistry(v -> {
        throw new AssertionError(v);
    });
    final Map<String, SimNode> nodes = new LinkedHashMap<>();
    private long nextSeq;

    SimCluster(int n) {
        Set<String> ids = new java.util.TreeSet<>();
        for (int i = 1; i <= n; i++) ids.add("n" + i);
        ClusterConfig members = new ClusterConfig(ids, Set.of());
        for (String id : ids) {
            RaftConfig cfg = new RaftConfig(id, ELECTION_TICKS, 1, 8, 8, Set.of());
            nodes.put(id, new SimNode(id, world, network, new RaftServer.Options(cfg, members, TICK_MILLIS, 0, 0),
                    nodes::get, registry, 2));
        }
        nodes.values().forEach(SimNode::start);
    }

    SimNode node(String id) {
        return nodes.get(id);
    }

    void run(long millis) {
        world.runUntil(world.now() + millis, () -> { });
    }

    /** Runs until {@code done}, in steps of a tick, for at most {@code maxMillis} of virtual time. */
    boolean runUntil(BooleanSupplier done, long maxMillis) {
        long end = world.now() + maxMillis;
        while (!done.getAsBoolean() && world.now() < end) run(TICK_MILLIS);
        return done.getAsBoolean();
    }

    SimNode leader() {
        for (SimNode n : nodes.values()) {
            if (n.isRunning() && n.core().role() == Role.LEADER) return n;
        }
        return null;
    }

    SimNode awaitLeader() {
        if (!runUntil(() -> leader() != null, 5_000)) throw new AssertionError("no leader within 5 s of virtual time");
        return leader();
    }

    List<SimNode> followersOf(SimNode leader) {
        return nodes.values().stream().filter(n -> n != leader).toList();
    }

    CompletableFuture<Object> put(SimNode via, String key, String value) {
        KvCommand put = new KvCommand.Put("test", ++nextSeq, key, value.getBytes());
        return via.server().propose(KvCodec.encode(put));
    }

    /** Cuts {@code node} off from everyone else. */
    void isolate(SimNode node) {
        network.partition(Map.of(node.id, 1));
    }
}
