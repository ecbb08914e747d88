package dev.raftkv.sim;

import dev.raftkv.kv.KvStateMachine;
import dev.raftkv.kv.SessionPolicy;
import dev.raftkv.kv.store.MemoryKvStore;
import dev.raftkv.raft.Message;
import dev.raftkv.raft.RaftNode;
import dev.raftkv.raft.server.RaftServer;
import dev.raftkv.raft.server.Snapshot;
import dev.raftkv.raft.server.SnapshotWriter;
import dev.raftkv.raft.server.StateMachine;
import dev.raftkv.raft.server.Transport;
import dev.raftkv.raft.snapshot.InMemorySnapshotStore;

import java.io.IOException;
import java.io.UncheckedIOException;

import java.util.Random;
import java.util.function.Function;

/**
 * One simulated machine: its disk and snapshot store outlive crashes; its event loop, Raft server
 * and key-value state machine are made anew at every start.
 */
final class SimNode {
    final String id;
    private final SimWorld world;
    private final SimNetwork network;
    private final RaftServer.Options options;
    private final Function<String, SimNode> peers;
    private final LogRegistry registry;
    final SimDisk disk;
    /** Outlives crashes: a committed snapshot is durable at once (the simulated disk models the log's fsyncs). */
    private final InMemorySnapshotStore snapshots = new InMemorySnapshotStore();
    /** This machine's clock runs at this multiple of real time (its ticks come 1/rate as often). */
    private double clockRate = 1.0;

    private SimLoop loop;
    private RaftServer server;
    private int incarnation;

    SimNode(String id, SimWorld world, SimNetwork network, RaftServer.Options options,
            Function<String, SimNode> peers, LogRegistry registry, int maxFsyncMillis) {
        this.id = id;
        this.world = world;
        this.network = network;
        this.options = options;
        this.peers = peers;
        this.registry = registry;
        this.disk = new SimDisk(id, world, registry, maxFsyncMillis);
    }

    void start() {
        incarnation++;
        network.restarted(id);
        loop = new SimLoop(world, clockRate);
        StateMachine machine = new CheckedMachine(new KvStateMachine(new MemoryKvStore(), SessionPolicy.DEFAULT, options.raft().bugs()));
        server = new RaftServer(options, machine, disk, snapshots, new SimTransport(), loop, loop::execute,
                new Random(world.random().nextLong()));
        server.onFatalError(error -> {
            // simulated disks never fail, so a node that stops itself is a finding like any other, with its seed;
            // a checker's violation raised while applying ends the run as it would anywhere else
            if (error.cause() instanceof RuntimeException r) throw r;
            throw new IllegalStateException(id + ": " + error.describe(), error.cause());
        });
        server.start();
        world.trace(id + " starts (incarnation " + incarnation + ")");
    }

    /** Sets this machine's clock rate from its next start on. */
    void clockRate(double rate) {
        this.clockRate = rate;
    }

    double clockRate() {
        return clockRate;
    }

    /** The index of the newest snapshot in the store that outlives crashes (0: none). */
    long latestSnapshotIndex() {
        dev.raftkv.raft.server.Snapshot s = snapshots.latest();
        return s == null ? 0 : s.meta().index();
    }

    void crash() {
        if (!isUp()) return;
        RaftNode c = core();
        if (c != null) membersAtCrash = c.members();
        loop.kill();
        disk.crash();
        server = null;
        world.trace(id + " crashes");
    }

    void pause() {
        if (isUp() && !loop.isPaused()) {
            loop.pause();
            world.trace(id + " pauses");
        }
    }

    void resume() {
        if (isUp() && loop.isPaused()) {
            loop.resume();
            world.trace(id + " resumes");
        }
    }

    /** How many times this machine has started; a crash and a start make a new incarnation. */
    int incarnation() {
        return incarnation;
    }

    boolean isUp() {
        return server != null;
    }

    boolean isPaused() {
        return isUp() && loop.isPaused();
    }

    /** Up, not paused, and started. */
    boolean isRunning() {
        return isUp() && !loop.isPaused() && server.core() != null;
    }

    RaftServer server() {
        return server;
    }

    RaftNode core() {
        return server == null ? null : server.core();
    }

    /** The membership this node sees, or saw when it last went down; null if it never ran. */
    dev.raftkv.raft.ClusterConfig members() {
        RaftNode c = core();
        return c != null ? c.members() : membersAtCrash;
    }

    private dev.raftkv.raft.ClusterConfig membersAtCrash;

    /** The state machine wrapper that tells the registry what every node applies. */
    private final class CheckedMachine implements StateMachine {
        private final StateMachine inner;

        CheckedMachine(StateMachine inner) {
            this.inner = inner;
        }

        @Override
        public Object apply(long index, byte[] command) {
            registry.applied(id, index, 0, command);
            return inner.apply(index, command);
        }

        @Override
        public Object query(byte[] query) {
            return inner.query(query);
        }

        @Override
        public void endBatch(long lastIndex) {
            inner.endBatch(lastIndex);
        }

        @Override
        public long durableIndex() {
            return inner.durableIndex();
        }

        @Override
        public void snapshot(SnapshotWriter writer) throws IOException {
            inner.snapshot(writer);
        }

        @Override
        public void restore(Snapshot snapshot) throws IOException {
            inner.restore(snapshot);
        }
    }

    /** What a transport does with a snapshot that arrived: copies it into this node's store, then hands it over. */
    private void receiveSnapshot(Message.InstallSnapshot m, Snapshot snapshot) {
        try {
            SnapshotWriter received = server.snapshotWriter(m);
            snapshot.copyTo(received);
            server.receiveSnapshot(m, received);
        } catch (IOException e) {
            throw new UncheckedIOException("in-memory snapshots cannot fail to copy", e);
        }
    }

    private final class SimTransport implements Transport {
        @Override
        public void send(Message message) {
            deliver(message, null);
        }

        @Override
        public void sendSnapshot(Message.InstallSnapshot message, Snapshot snapshot) {
            deliver(message, snapshot);
        }

        @Override
        public void reconnect(String peerId) {
            if (network.reconnected(id, peerId)) world.trace(id + " reconnects to " + peerId + ": its stale connection ends");
        }

        private void deliver(Message m, Snapshot snapshot) {
            String refused = network.refusal(m);
            if (refused != null) {
                // what NettyTransport does: log, count, drop; the sender learns nothing, as in production
                world.trace("refuse " + m + ": " + refused);
                return;
            }
            for (long delay : network.deliveries(m.from(), m.to())) {
                world.after(delay, () -> {
                    SimNode target = peers.apply(m.to());
                    if (target == null || !target.isUp() || !network.connected(m.from(), m.to())) return;
                    world.trace("deliver " + m);
                    if (snapshot != null) target.receiveSnapshot((Message.InstallSnapshot) m, snapshot);
                    else target.server.receive(m);
                });
            }
        }
    }
}
