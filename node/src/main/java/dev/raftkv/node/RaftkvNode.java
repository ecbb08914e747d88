package dev.raftkv.node;

import dev.raftkv.raft.InjectedBug;
import dev.raftkv.kv.SessionPolicy;
import dev.raftkv.kv.KvStateMachine;
import dev.raftkv.kv.store.KvStore;
import dev.raftkv.kv.store.MemoryKvStore;
import dev.raftkv.kv.store.RocksKvStore;
import dev.raftkv.kv.store.RocksSettings;
import dev.raftkv.raft.ClusterConfig;
import dev.raftkv.raft.Message;
import dev.raftkv.raft.RaftConfig;
import dev.raftkv.raft.log.FileLogStorage;
import dev.raftkv.raft.server.ExecutorEventLoop;
import dev.raftkv.raft.server.FatalError;
import dev.raftkv.raft.server.FatalErrorHandler;
import dev.raftkv.raft.server.LogStorage;
import dev.raftkv.raft.server.RaftServer;
import dev.raftkv.raft.server.Snapshot;
import dev.raftkv.raft.server.Transport;
import dev.raftkv.raft.snapshot.FileSnapshotStore;
import dev.raftkv.client.ClientSecurity;
import dev.raftkv.transport.InboundSink;
import dev.raftkv.transport.NettyTransport;
import dev.raftkv.transport.PeerSecurity;
import dev.raftkv.transport.Tls;
import dev.raftkv.transport.TransportOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * One running raftkv node: storage in its data directory, the key-value machine, the Raft server on
 * its event loop, an apply thread, and the HTTP API.
 */
public final class RaftkvNode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RaftkvNode.class);

    /** Builds the transport to the other members, given where inbound messages go. */
    public interface TransportFactory {
        Transport open(NodeConfig config, RaftServer inbound) throws Exception;

        /** With what the node proves to its peers and checks in them; a transport without a network ignores it. */
        default Transport open(NodeConfig config, RaftServer inbound, PeerSecurity security) throws Exception {
            return open(config, inbound);
        }
    }

    /** The limits of the Raft wire: what a node's settings must fit in (see {@link FrameBudget}). */
    static final TransportOptions TRANSPORT = TransportOptions.defaults();

    /** The real network: Netty on the node's Raft address, with its cookie, cluster id and TLS. */
    public static final TransportFactory NETTY = new TransportFactory() {
        @Override
        public Transport open(NodeConfig config, RaftServer inbound) {
            return open(config, inbound, PeerSecurity.cookie(config.cookie()));
        }

        @Override
        public Transport open(NodeConfig config, RaftServer inbound, PeerSecurity security) {
            return NettyTransport.start(config.id(), config.raft(), config.peers(), security, InboundSink.of(inbound),
                    TRANSPORT);
        }
    };

    private final NodeConfig config;
    private final DataDirIdentity identity;
    private final FileLogStorage storage;
    private final KvStateMachine machine;
    private final ExecutorEventLoop loop;
    /** With {@link UnsafeControls#clockControl}: the loop whose clock the verifier may skew; otherwise null. */
    private final SkewedClockLoop skewedLoop;
    private final ExecutorService applyThread;
    private final RaftServer server;
    private final Transport transport;
    private final HttpApi http;
    /** What the node holds for its clients, over both ports. */
    private final InFlightBudget budget;
    /** Null when the node was given no client address. */
    private final ClientServer clients;
    private final Directory directory;
    private final MembershipService membership;
    /** Null unless the node was started with --join. */
    private final Joiner joiner;
    /** Writes this node's client and HTTP addresses into the membership (no --peer-http needed anywhere). */
    private final EndpointPublisher publisher;
    private final java.util.concurrent.CompletableFuture<Void> joinedFuture;
    /** Completes with the cause of the {@link FatalError} that stopped the node: the process should exit. */
    private final java.util.concurrent.CompletableFuture<Throwable> failed = new java.util.concurrent.CompletableFuture<>();

    private RaftkvNode(NodeConfig config, TransportFactory transports, UnsafeControls unsafe, FatalErrorHandler onFatal)
            throws Exception {
        // before anything is opened: a value the wire cannot carry would strand every follower behind it
        RaftConfig raft = new RaftConfig(config.id(), config.electionTicks(), 1, 64, 256, unsafe.bugs());
        FrameBudget.check(config.limits(), raft, TRANSPORT.maxEntryBytes());
        this.config = config;
        this.identity = DataDirIdentity.open(config.dataDir(), config.id());
        settleClusterId(config, identity);
        this.storage = FileLogStorage.open(config.dataDir());
        if (unsafe.any()) {
            LOG.warn("{} runs with UNSAFE test-only switches {}: it was started through the test harness's entry point and"
                    + " will break its promises", config.id(), unsafe.names());
        }
        HeapUsage.watchCollections();
        String humongous = HumongousValues.warning(config.limits().maxValueBytes() + (long) config.limits().maxKeyBytes(),
                HumongousValues.regionBytes());
        if (humongous != null) LOG.warn("{}: {}", config.id(), humongous);
        Tokens tokens = config.security().tokens();
        if (!tokens.configured()) {
            LOG.warn("{} has no tokens: anyone who reaches its HTTP or client port can read, write and change the membership"
                    + " (set RAFTKV_CLIENT_TOKEN and RAFTKV_ADMIN_TOKEN, or --client-token and --admin-token)", config.id());
        }
        LogStorage log = unsafe.eagerAckMillis() > 0 ? new EagerAckStorage(storage, unsafe.eagerAckMillis()) : storage;
        this.machine = openMachine(config, unsafe.bugs());
        // the memory machine restores the latest snapshot at every start, so its store checks them then; the
        // RocksDB machine restores none at start, and reading gigabytes of checkpoint there would make the
        // restart as slow as the data is large: its snapshot files are checked when they are read
        FileSnapshotStore snapshots = FileSnapshotStore.open(config.dataDir(), dev.raftkv.raft.log.Syncer.FSYNC,
                config.store() == StoreKind.ROCKSDB ? FileSnapshotStore.Verification.WHEN_READ
                        : FileSnapshotStore.Verification.AT_START);
        this.loop = new ExecutorEventLoop("raft-" + config.id(), this::eventLoopFailed);
        this.skewedLoop = unsafe.clockControl() ? new SkewedClockLoop(loop) : null;
        this.applyThread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "apply-" + config.id());
            t.setDaemon(true);
            return t;
        });
        ClusterConfig members = new ClusterConfig(config.peers().keySet(), Set.of());
        Transport[] late = new Transport[1];
        // the server needs the transport and the transport needs the server: the first sends through the second
        Transport forwarding = new Transport() {
            @Override
            public void send(Message message) {
                late[0].send(message);
            }

            @Override
            public void sendSnapshot(Message.InstallSnapshot message, Snapshot snapshot) {
                late[0].sendSnapshot(message, snapshot);
            }

            @Override
            public void reconnect(String peerId) {
                late[0].reconnect(peerId);
            }
        };
        this.server = new RaftServer(new RaftServer.Options(raft, members, config.tickMillis(), config.snapshotEveryEntries(),
                config.snapshotEveryBytes()),
                machine, log, snapshots, forwarding, skewedLoop != null ? skewedLoop : loop, applyThread, new Random());
        Tls.NodeFiles tls = config.security().tls();
        // an fsync that failed (fsyncgate), an apply that threw: the node stops, and its process exits
        server.onFatalError(error -> {
            failed.complete(error.cause());
            onFatal.onFatal(error);
        });
        this.transport = transports.open(config, server, new PeerSecurity(config.cookie(), identity::clusterId, tls));
        late[0] = transport;
        this.directory = new Directory(endpointsFromFlags(config), this::connectTo);
        server.onMembersChanged(directory::update);
        java.util.function.Supplier<String> storeFull = machine.store() instanceof MemoryKvStore memory ? memory::fullness : () -> null;
        KvService kv = new KvService(server, config.limits(), config.requestTimeout(), unsafe.localReads(), storeFull, unsafe.bugs());
        this.membership = new MembershipService(server, directory, config.requestTimeout(), prover(transport));
        this.budget = InFlightBudget.of(config.edge()); // one for both ports: together they must not fill the heap
        NodeMetrics metrics = new NodeMetrics(server, budget, transport instanceof NettyTransport n ? n::droppedMessages : null);
        storage.observeFlushes(metrics.logFlushes());
        this.clients = config.client() == null ? null : new ClientServer(config.id(), config.client(), kv, directory::clientOf,
                config.clientMaxInFlight(), tokens, tls == null ? null : tls.server(false), config.edge(), budget, metrics);
        ClientSecurity toPeers = new ClientSecurity(tls == null ? null : tls.ca(), null);
        this.http = new HttpApi(config.http(), config.id(), kv, membership, directory, skewedLoop,
                new HttpSecurity(new Authorizer(tokens), tls == null ? null : tls.server(false), toPeers,
                        identity::clusterId, unsafe.names()), config.edge(), budget,
                metrics);
        // only now are the ports bound (a test may ask for port 0), so only now can this node describe itself
        MemberEndpoint self = selfEndpoint();
        directory.self(config.id(), self);
        server.start(startingMembership(config, self));
        this.joiner = config.join().isEmpty() ? null : new Joiner(config.id(), self, config.join(), directory::learn,
                identity::adopt, toPeers.withToken(config.security().adminToken()));
        this.joinedFuture = joiner == null ? null : joiner.start();
        this.publisher = new EndpointPublisher(config.id(), self, server, membership, directory,
                toPeers.withToken(config.security().adminToken()));
        publisher.start();
        LOG.info("{} serving HTTP on {}{}{} with data in {}", config.id(), self.http(),
                clients == null ? "" : " and clients on " + self.client(),
                config.security().tls() == null ? " in plain text" : " over TLS (the Raft port too, mutual)", config.dataDir());
    }

    private void eventLoopFailed(Throwable error) {
        server.fatal(new FatalError.EventLoopFailed(error));
    }

    private static KvStateMachine openMachine(NodeConfig config, Set<InjectedBug> bugs) throws java.io.IOException {
        long t0 = System.nanoTime();
        KvStore store = switch (config.store()) {
            case MEMORY -> new MemoryKvStore();
            case ROCKSDB -> RocksKvStore.open(config.dataDir().resolve("kv"), RocksSettings.DEFAULT);
        };
        LOG.info("{} keeps its keys in the {} (applied index {}, opened in {} ms)", config.id(), store.describe(),
                store.meta().appliedIndex(), (System.nanoTime() - t0) / 1_000_000);
        return new KvStateMachine(store, SessionPolicy.DEFAULT, bugs);
    }

    /**
     * Gives a new node its cluster's id: the one it was told (--cluster-id), a new one for a cluster of its own
     * (--bootstrap), or the hash of its --peers; a node that joins learns it from the cluster it asks. A node
     * whose data directory knows its cluster keeps that one, and is refused if told another.
     */
    private static void settleClusterId(NodeConfig config, DataDirIdentity identity) throws java.io.IOException {
        String given = config.security().clusterId();
        if (identity.knowsCluster()) {
            if (given != null && !given.equals(identity.clusterId())) {
                throw new DataDirIdentity.RefusedException("data directory " + config.dataDir() + " belongs to cluster "
                        + identity.clusterId() + ", but --cluster-id says " + given);
            }
            return;
        }
        String fresh = given != null ? given
                : config.bootstrap() ? ClusterIds.random()
                : !config.peers().isEmpty() ? ClusterIds.fromPeers(config.peers()) : null;
        if (fresh != null) identity.adopt(fresh);
    }

    /**
     * How the leader checks that a node knows the cookie before it takes it in: a handshake with it over
     * the network. A transport without a network (tests in one JVM) has no strangers to keep out.
     */
    private static MembershipService.Prover prover(Transport transport) {
        if (transport instanceof NettyTransport n) return (id, raft) -> n.prove(id, NodeConfig.parseAddress(raft));
        return (id, raft) -> java.util.concurrent.CompletableFuture.completedFuture(null);
    }

    /** With --join: completes once this node votes, or fails with why it cannot join; null for a node that does not join. */
    public java.util.concurrent.CompletableFuture<Void> joined() {
        return joinedFuture;
    }

    /** The cluster this node belongs to; empty while a joining node has not learned it. */
    public String clusterId() {
        return identity.clusterId();
    }

    /**
     * What a brand-new node writes as its first log entry: all of --peers, or itself alone with
     * --bootstrap. Null for a node that joins (it learns the membership from the leader); a node with
     * data ignores it (RaftServer writes it only into an empty log).
     */
    private static ClusterConfig startingMembership(NodeConfig config, MemberEndpoint self) {
        if (config.bootstrap()) {
            return new ClusterConfig(Set.of(config.id()), Set.of(), java.util.Map.of(config.id(), self.format()));
        }
        if (config.peers().isEmpty()) return null;
        // the flags alone, our own entry too: every node given the same flags writes the same entry at index 1
        // (with our own bound ports in it, each node's entry 1 would say something else, and a node that saw
        // its own addresses there would not publish them: EndpointPublisher)
        java.util.Map<String, String> endpoints = new java.util.TreeMap<>();
        endpointsFromFlags(config).forEach((id, e) -> endpoints.put(id, e.format()));
        return new ClusterConfig(config.peers().keySet(), Set.of(), endpoints);
    }

    private static java.util.Map<String, MemberEndpoint> endpointsFromFlags(NodeConfig config) {
        java.util.Map<String, MemberEndpoint> out = new java.util.TreeMap<>();
        config.peers().forEach((id, raft) -> out.put(id, new MemberEndpoint(dev.raftkv.transport.Addresses.format(raft),
                config.peerClient().get(id), config.peerHttp().get(id))));
        return out;
    }

    private MemberEndpoint selfEndpoint() {
        // the port bound if we know it (--raft may say 0), else what the others were told
        java.net.InetSocketAddress raft = transport instanceof dev.raftkv.transport.NettyTransport n ? n.boundAddress()
                : config.peers().getOrDefault(config.id(), config.raft());
        return new MemberEndpoint(hostPort(config.raft().getHostString(), raft.getPort()),
                clients == null ? null : hostPort(config.client().getHostString(), clients.port()),
                hostPort(config.http().getHostString(), http.port()));
    }

    private static String hostPort(String host, int port) {
        return dev.raftkv.transport.Addresses.format(host, port);
    }

    /** A member the membership describes: the transport connects to it from now on. */
    private void connectTo(String id, String raftAddress) {
        if (id.equals(config.id())) return;
        if (transport instanceof dev.raftkv.transport.NettyTransport n) {
            n.setPeer(id, NodeConfig.parseAddress(raftAddress));
        }
    }

    public MembershipService membership() {
        return membership;
    }

    public static RaftkvNode start(NodeConfig config, TransportFactory transports) throws Exception {
        return new RaftkvNode(config, transports, UnsafeControls.NONE, FatalErrorHandler.NONE);
    }

    public static RaftkvNode start(NodeConfig config, TransportFactory transports, UnsafeControls unsafe) throws Exception {
        return new RaftkvNode(config, transports, unsafe, FatalErrorHandler.NONE);
    }

    /**
     * @param onFatal told when the node stopped itself on a {@link FatalError}: the {@code node} command exits
     *                the process; a test passes a {@link dev.raftkv.raft.server.RecordingFatalErrorHandler}
     */
    public static RaftkvNode start(NodeConfig config, TransportFactory transports, UnsafeControls unsafe,
                                   FatalErrorHandler onFatal) throws Exception {
        return new RaftkvNode(config, transports, unsafe, onFatal);
    }

    /** Completes if the node hit an error it cannot continue after. */
    public java.util.concurrent.CompletableFuture<Throwable> failure() {
        return failed;
    }

    public int httpPort() {
        return http.port();
    }

    /** The port of the binary client protocol; -1 if it is not served. */
    public int clientPort() {
        return clients == null ? -1 : clients.port();
    }


    /** Test only: the node-wide budget of client requests, for its counters. */
    InFlightBudget budget() {
        return budget;
    }

    public RaftServer server() {
        return server;
    }

    /** The binary client protocol server, or null if this node serves none; for its counters. */
    public ClientServer clientServer() {
        return clients;
    }

    @Override
    public void close() {
        publisher.close();
        if (joiner != null) joiner.stop();
        if (clients != null) clients.close();
        http.close();
        try {
            // let the server fail what waits on the apply thread before that thread goes away
            if (!failed.isDone()) server.stop().get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("{}: the server did not stop cleanly: {}", config.id(), e.toString());
        }
        if (transport instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.warn("closing the transport: {}", e.toString());
            }
        }
        loop.close();
        applyThread.shutdown();
        try {
            applyThread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        storage.close();
        machine.close(); // after the apply thread ended: a RocksDB store flushes its memtables and closes every handle
        LOG.info("{} stopped", config.id());
    }
}
