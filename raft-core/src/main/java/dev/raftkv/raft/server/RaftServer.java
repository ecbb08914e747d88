package dev.raftkv.raft.server;

import dev.raftkv.raft.ClusterConfig;
import dev.raftkv.raft.ConfigChange;
import dev.raftkv.raft.Entry;
import dev.raftkv.raft.Message;
import dev.raftkv.raft.ProposeResult;
import dev.raftkv.raft.RaftConfig;
import dev.raftkv.raft.RaftEvent;
import dev.raftkv.raft.RaftNode;
import dev.raftkv.raft.ReadState;
import dev.raftkv.raft.Ready;
import dev.raftkv.raft.Role;
import dev.raftkv.raft.SnapshotMeta;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * Runs one {@link RaftNode}: feeds it ticks, messages and requests on the event loop, and carries
 * out each {@link Ready} in the order DESIGN.md states — persist (on the log writer), then send what
 * depended on it; apply committed entries on the apply executor; answer clients.
 *
 * <p>Every field is owned by the event loop thread; the public methods only post tasks to it.
 */
public final class RaftServer {
    private static final Logger LOG = LoggerFactory.getLogger(RaftServer.class);

    /**
     * @param tickMillis           wall (or virtual) time per core tick
     * @param snapshotEveryEntries take a snapshot after this many applied entries (0: never)
     * @param snapshotEveryBytes   ... or after this many bytes of applied commands (0: never)
     */
    public record Options(RaftConfig raft, ClusterConfig members, long tickMillis, long snapshotEveryEntries,
                          long snapshotEveryBytes) {
    }

    /** A write handed to the log writer, with the messages that may leave once it is durable. */
    private static final class PendingWrite {
        final long lastIndex;
        final long lastTerm;
        final List<Message> messages;

        PendingWrite(long lastIndex, long lastTerm, List<Message> messages) {
            this.lastIndex = lastIndex;
            this.lastTerm = lastTerm;
            this.messages = new ArrayList<>(messages);
        }
    }

    /** A read the core has not yet given a read index (ReadIndex or lease); the apply thread answers it once it has one. */
    private record ReadAwaitingIndex(byte[] query, CompletableFuture<Object> future) {
    }

    private final Options options;
    private final LogStorage storage;
    private final SnapshotStore snapshots;
    private final Transport transport;
    private final EventLoop loop;
    private final Executor applyExecutor;
    private final Random random;
    private final Applier applier;

    private RaftNode node;
    private EventLoop.Cancellable ticker;
    private boolean stopped;
    private final ArrayDeque<PendingWrite> pendingWrites = new ArrayDeque<>();
    private final Map<Long, ReadAwaitingIndex> readsAwaitingIndex = new HashMap<>();
    private long nextReadId;
    /** A snapshot from the leader, all its bytes written but not committed, while the core decides on its InstallSnapshot. */
    private SnapshotWriter incomingSnapshot;
    /** The log on disk is kept back to the snapshot before the latest, so that one can stand in if the latest is damaged. */
    private long previousSnapshotIndex;
    private final CompletableFuture<Throwable> failure = new CompletableFuture<>();
    /** Set by the first fatal error, on whichever thread hit it; apply tasks queued after it are skipped. */
    private final java.util.concurrent.atomic.AtomicBoolean failed = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile FatalErrorHandler fatalHandler = FatalErrorHandler.NONE;
    private Role lastRole;
    private ClusterConfig lastMembers;
    private Consumer<ClusterConfig> membersListener = members -> {
    };
    private long lastTerm;
    private String lastLeader;
    private final RaftCounters counters = new RaftCounters();
    /** The latest {@link Status}, set on the event loop after each tick and start: what metrics and health read without posting. */
    private volatile Status published;
    /** The term this node leads, or 0: when it stops leading, what it was asked to write is answered at once. */
    private long leadingTerm;

    public RaftServer(Options options, StateMachine machine, LogStorage storage, SnapshotStore snapshots,
                      Transport transport, EventLoop loop, Executor applyExecutor, Random random) {
        this.options = options;
        this.storage = storage;
        this.snapshots = snapshots;
        this.transport = transport;
        this.loop = loop;
        this.applyExecutor = applyExecutor;
        this.random = random;
        this.applier = new Applier(machine, snapshots, options.snapshotEveryEntries(), options.snapshotEveryBytes(),
                meta -> loop.execute(() -> onSnapshotTaken(meta)), counters);
    }

    /** Loads durable state and starts ticking. Must be called before anything else. */
    public void start() {
        start(null);
    }

    /**
     * Like {@link #start()}; a node whose storage is empty and who is given {@code bootstrap} first writes
     * that membership into its log, so it knows its cluster after a restart without being told again.
     * A node that will join a running cluster passes null: it learns the membership from the leader.
     */
    public void start(ClusterConfig bootstrap) {
        loop.execute(() -> {
            Snapshot snap = snapshots.latest();
            long snapIndex = snap == null ? 0 : snap.meta().index();
            LogStorage.Recovered rec = storage.load(snap == null ? null : snap.meta());
            previousSnapshotIndex = snapIndex;
            if (snap != null) restoreOnApplyThread(snap, true);
            node = new RaftNode(options.raft(), options.members(), random, rec.hardState(),
                    snap == null ? null : snap.meta(), rec.entries());
            boolean empty = snap == null && rec.entries().isEmpty() && node.term() == 0;
            if (bootstrap != null && empty) {
                node.bootstrap(bootstrap);
                LOG.info("{} bootstrapped a new cluster: {}", node.id(), bootstrap);
            }
            lastRole = node.role();
            lastTerm = node.term();
            LOG.info("{} started: term {}, log {}..{}, snapshot at {}", node.id(), node.term(),
                    node.firstIndex(), node.lastIndex(), snapIndex);
            ticker = loop.every(options.tickMillis(), this::tick);
            process();
            publish();
        });
    }

    /**
     * Who is told when this server stops itself on a {@link FatalError} (the node exits the process; tests
     * record it). Set it before {@link #start}.
     */
    public void onFatalError(FatalErrorHandler handler) {
        this.fatalHandler = handler;
    }

    /** Called on the event loop with the latest membership whenever it changes (and once at start). */
    public void onMembersChanged(Consumer<ClusterConfig> listener) {
        loop.execute(() -> membersListener = listener);
    }

    /**
     * Stops ticking and answering; whatever is waiting fails. Durable state stays as it is. The future
     * completes once the apply executor has failed what waited there, so the caller may then shut it down.
     */
    public CompletableFuture<Void> stop() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        loop.execute(() -> {
            if (stopped) {
                done.complete(null);
                return;
            }
            stopped = true;
            if (ticker != null) ticker.cancel();
            published = null;
            failReadsAwaitingIndex("the node stopped");
            // not through onApplyThread: after a fatal error the waiting futures must still be failed
            applyExecutor.execute(() -> {
                try {
                    applier.failAll();
                } finally {
                    done.complete(null);
                }
            });
        });
        return done;
    }

    // ---------------------------------------------------------------- requests (any thread)

    /** Proposes a command; completes with the state machine's result once it is applied here. */
    public CompletableFuture<Object> propose(byte[] command) {
        CompletableFuture<Object> future = new CompletableFuture<>();
        loop.execute(() -> {
            if (refuseIfStopped(future)) return;
            counters.proposals.increment();
            answerWhenApplied(node.propose(command), future);
            process();
        });
        return future;
    }

    /** An accepted proposal completes {@code future} once applied here; a refused one fails it at once. */
    private void answerWhenApplied(ProposeResult result, CompletableFuture<Object> future) {
        if (result instanceof ProposeResult.Accepted a) {
            onApplyThread("recording a proposal", () -> applier.expect(a.index(), a.term(), future));
        } else if (result instanceof ProposeResult.Rejected r) {
            future.completeExceptionally(new NotAppliedException(r.reason(), r.leaderHint()));
        } else if (result instanceof ProposeResult.NoLeader n) {
            future.completeExceptionally(new NoLeaderException(n.reachableVoters(), n.voters()));
        } else if (result instanceof ProposeResult.Invalid i) {
            future.completeExceptionally(new IllegalArgumentException(i.reason()));
        } else if (result instanceof ProposeResult.UnknownMember u) {
            future.completeExceptionally(new dev.raftkv.raft.UnknownMemberException(u.id()));
        } else if (result instanceof ProposeResult.LearnerBehind l) {
            future.completeExceptionally(new LearnerBehindException(l.reason(), l.leaderHint()));
        }
    }

    /** A linearizable read (ReadIndex): answered once the leader confirmed its leadership and this node applied far enough. */
    public CompletableFuture<Object> read(byte[] query) {
        return read(query, false);
    }

    /**
     * A lease read: like {@link #read}, but a leader holding a lease answers without a heartbeat round.
     * Linearizable only while every node's clock drifts less than the configured bound.
     */
    public CompletableFuture<Object> readLease(byte[] query) {
        return read(query, true);
    }

    private CompletableFuture<Object> read(byte[] query, boolean lease) {
        CompletableFuture<Object> future = new CompletableFuture<>();
        loop.execute(() -> {
            if (refuseIfStopped(future)) return;
            long id = ++nextReadId;
            readsAwaitingIndex.put(id, new ReadAwaitingIndex(query, future));
            if (lease) node.leaseRead(id);
            else node.readIndex(id);
            process();
        });
        return future;
    }

    /** A read of this node's own state, possibly stale (the demo's {@code local_get}). */
    public CompletableFuture<Object> readLocal(byte[] query) {
        CompletableFuture<Object> future = new CompletableFuture<>();
        onApplyThread("answering a local read", () -> applier.readNow(query, future));
        return future;
    }

    /**
     * Proposes one membership change; completes with the index of its entry once it is applied here.
     * Fails with {@link NotAppliedException} if this node cannot do it now (not the leader, another change
     * in flight; {@link LearnerBehindException} for a learner still catching up), with
     * {@link dev.raftkv.raft.UnknownMemberException} for an id that is not a member, and with
     * {@link IllegalArgumentException} if the change otherwise contradicts the membership (a member added twice).
     */
    public CompletableFuture<Long> changeMembership(ConfigChange change) {
        CompletableFuture<Object> applied = new CompletableFuture<>();
        CompletableFuture<Long> future = new CompletableFuture<>();
        loop.execute(() -> {
            if (refuseIfStopped(applied)) return;
            ProposeResult result = node.changeMembership(change);
            if (result instanceof ProposeResult.Accepted a) {
                LOG.info("{} proposed membership change {} at index {}", node.id(), change, a.index());
                applied.thenRun(() -> future.complete(a.index()));
            }
            answerWhenApplied(result, applied);
            process();
        });
        applied.whenComplete((ok, error) -> {
            if (error != null) future.completeExceptionally(error);
        });
        return future;
    }

    /** Asks the leader to hand over to {@code target}; completes when the handover started, or fails with why not. */
    public CompletableFuture<Void> transferLeadership(String target) {
        CompletableFuture<Void> future = new CompletableFuture<>();
        loop.execute(() -> {
            if (stopped) {
                future.completeExceptionally(new NotAppliedException("the node stopped", null));
                return;
            }
            String refusal = node.transferLeadership(target);
            if (refusal == null) future.complete(null);
            else future.completeExceptionally(new NotAppliedException(refusal, node.leader()));
            process();
        });
        return future;
    }

    // ---------------------------------------------------------------- transport (any thread)

    public void receive(Message message) {
        loop.execute(() -> {
            if (stopped || node == null) return;
            if (message instanceof Message.AppendEntries) counters.appendEntriesReceived.increment();
            node.step(message);
            process();
        });
    }

    /**
     * Where a transport writes the bytes of an incoming snapshot while they arrive (a temporary file in
     * the snapshot store); once they all have, it hands the writer to {@link #receiveSnapshot}. Any thread.
     */
    public SnapshotWriter snapshotWriter(Message.InstallSnapshot message) throws IOException {
        return snapshots.create(message.meta());
    }

    /**
     * An InstallSnapshot whose bytes are all in {@code received} (checked by the transport). The server
     * commits it to the store if the core installs the snapshot, and discards it otherwise.
     */
    public void receiveSnapshot(Message.InstallSnapshot message, SnapshotWriter received) {
        loop.execute(() -> {
            try {
                if (stopped || node == null) return;
                incomingSnapshot = received;
                node.step(message);
                process();
            } finally {
                incomingSnapshot = null;
                received.close(); // a no-op if process() committed it
            }
        });
    }

    // ---------------------------------------------------------------- the loop

    private void tick() {
        if (stopped) return;
        node.tick();
        process();
        publish();
    }

    private void publish() {
        published = currentStatus();
    }

    /** On the event loop, with the node started. */
    private Status currentStatus() {
        return new Status(node.id(), stopped ? Role.FOLLOWER : node.role(), node.term(), node.leader(),
                node.commitIndex(), node.appliedIndex(), node.members(), node.matchIndexes(), node.repairing(),
                node.repairingFollowers());
    }

    private void process() {
        Ready r = node.ready();
        logRoleChange();
        if (node.members() != lastMembers) {
            if (lastMembers != null) LOG.info("{}: membership is now {}", node.id(), node.members());
            lastMembers = node.members();
            membersListener.accept(lastMembers);
        }
        if (!r.isEmpty()) carryOut(r);
        answerProposalsIfSteppedDown();
    }

    /**
     * A leader that stepped down (lost its majority, saw a later term, handed over) answers every proposal
     * still waiting at once: it may yet commit under the next leader, so the answer is "outcome unknown"
     * (504), not "not applied" — and not a timeout five seconds later. Posted after the entries this Ready
     * committed, so those are answered with their results first.
     */
    private void answerProposalsIfSteppedDown() {
        if (leadingTerm != 0 && (node.role() != Role.LEADER || node.term() != leadingTerm)) {
            String why = node.id() + " stopped leading term " + leadingTerm + " before the entry was applied"
                    + (node.leader() == null ? "" : " (the leader is now " + node.leader() + ")") + "; it may still commit";
            leadingTerm = 0;
            onApplyThread("answering proposals after stepping down", () -> applier.failProposals(why));
        }
        if (node.role() == Role.LEADER) leadingTerm = node.term();
    }

    /** Carries out one Ready, in the order DESIGN.md states. */
    private void carryOut(Ready r) {
        for (RaftEvent event : r.events()) {
            log(event);
            if (event instanceof RaftEvent.FollowerNotHearingUs e) transport.reconnect(e.follower());
        }
        r.messages().forEach(this::send);

        if (r.snapshot() != null) {
            SnapshotWriter received = incomingSnapshot;
            if (received == null || received.meta().index() != r.snapshot().index()) {
                throw new IllegalStateException("core installed snapshot " + r.snapshot() + " that did not arrive");
            }
            Snapshot installed;
            try {
                installed = received.commit(); // durable before the log is reset to start after it
            } catch (IOException | RuntimeException e) {
                fatal(new FatalError.SnapshotFailed(r.snapshot().index(), "storing the leader's", e));
                return;
            }
            previousSnapshotIndex = installed.meta().index(); // the log restarts after it
            counters.snapshotsInstalled.increment();
            LOG.info("{} installs snapshot {}@{} from the leader ({} bytes)", node.id(), installed.meta().index(),
                    installed.meta().term(), installed.size());
            restoreOnApplyThread(installed, false);
        }
        if (r.needsPersist() || r.snapshot() != null) {
            Entry last = r.entries().isEmpty() ? null : r.entries().get(r.entries().size() - 1);
            PendingWrite w = new PendingWrite(last == null ? 0 : last.index(), last == null ? 0 : last.term(),
                    r.messagesAfterPersist());
            pendingWrites.addLast(w);
            storage.write(new LogStorage.Batch(r.hardState(), r.snapshot(), r.entries()),
                    error -> loop.execute(() -> onDurable(w, error)));
        } else if (!r.messagesAfterPersist().isEmpty()) {
            // nothing new to persist, but what these messages promise may still be on its way to disk
            if (pendingWrites.isEmpty()) r.messagesAfterPersist().forEach(this::send);
            else pendingWrites.peekLast().messages.addAll(r.messagesAfterPersist());
        }

        if (!r.committed().isEmpty()) {
            List<Entry> committed = r.committed();
            // a snapshot taken after this batch holds the membership as of its last entry, not the latest one
            ClusterConfig members = node.membersAt(committed.get(committed.size() - 1).index());
            onApplyThread("applying entries " + committed.get(0).index() + ".." + committed.get(committed.size() - 1).index(),
                    () -> applier.apply(committed, members));
        }
        for (ReadState rs : r.reads()) {
            ReadAwaitingIndex read = readsAwaitingIndex.remove(rs.requestId());
            if (read == null) continue;
            if (rs.refused()) {
                read.future().completeExceptionally(notLeader());
            } else {
                onApplyThread("answering a read", () -> applier.readAt(rs.index(), read.query(), read.future()));
            }
        }
    }

    private void onDurable(PendingWrite w, Throwable error) {
        if (stopped) return;
        if (error != null) {
            // an fsync that failed may have lost data we cannot name: stop rather than carry on (fsyncgate)
            fatal(new FatalError.LogStorageFailed(error));
            return;
        }
        if (pendingWrites.pollFirst() != w) throw new IllegalStateException("writes completed out of order");
        if (w.lastIndex > 0) node.persisted(w.lastIndex, w.lastTerm);
        w.messages.forEach(this::send);
        process();
    }

    /**
     * Restores {@code snap} on the apply thread; {@code atStart}, only if the machine's own storage does not
     * already hold it ({@link StateMachine#durableIndex}). The snapshot is retained here, at once, so its
     * files stay readable even if the store drops it meanwhile (two newer snapshots arriving quickly).
     */
    private void restoreOnApplyThread(Snapshot snap, boolean atStart) {
        Snapshot.Retained hold = snap.retain();
        applyExecutor.execute(() -> {
            if (failed.get()) {
                hold.close();
                return;
            }
            try (hold) {
                if (atStart) applier.start(snap);
                else applier.restore(snap);
            } catch (RuntimeException | Error e) {
                fatal(new FatalError.SnapshotFailed(snap.meta().index(), "restoring", e));
            }
        });
    }

    /**
     * Runs {@code task} on the apply thread; if it throws, anything at all (an OutOfMemoryError too), the
     * node stops. A plain executor would let the thread die, and every later batch would then fail the
     * in-order check: a node that still votes and even leads, but never answers again.
     */
    private void onApplyThread(String during, Runnable task) {
        applyExecutor.execute(() -> {
            if (failed.get()) return; // the machine's state is unknown: apply nothing more
            try {
                task.run();
            } catch (Applier.EntryFailedException e) {
                fatal(new FatalError.ApplyFailed(e.index, e.getCause()));
            } catch (RuntimeException | Error e) {
                fatal(new FatalError.ApplyThreadFailed(during, e));
            }
        });
    }

    /**
     * Fail-stop, from any thread: something failed that leaves this node unable to keep its promises. It
     * stops at once (what waits is failed; nothing more is applied, sent or acknowledged) and tells the
     * handler, which exits the process. Only the first error counts.
     */
    public void fatal(FatalError error) {
        if (!failed.compareAndSet(false, true)) return;
        LOG.error("{}: {}; stopping this node", options.raft().id(), error.describe(), error.cause());
        stop();
        failure.complete(error.cause());
        fatalHandler.onFatal(error);
    }

    private void onSnapshotTaken(SnapshotMeta meta) {
        if (stopped) return;
        node.snapshotTaken(meta);
        if (meta.index() <= previousSnapshotIndex) return; // a snapshot from the leader overtook this one
        if (previousSnapshotIndex > 0) storage.compact(previousSnapshotIndex);
        previousSnapshotIndex = meta.index();
    }

    private void send(Message m) {
        if (m instanceof Message.AppendEntries) counters.appendEntriesSent.increment();
        if (m instanceof Message.AppendResponse a && !a.success()) counters.appendEntriesRejected.increment();
        if (m instanceof Message.InstallSnapshot s) sendNewestSnapshot(s);
        else transport.send(m);
    }

    /**
     * The core asks for a snapshot by the one it last heard of, but the store may hold a newer one (the apply
     * thread took it, and {@link #onSnapshotTaken} has not reached the core yet), and can only hand out its newest:
     * the older may be gone once two newer exist. So the newest is sent, under its own meta, never the core's:
     * the meta travels with the bytes it describes. It covers everything the older did, and the follower's answer,
     * a match at the newer index, ends the leader's wait for the older all the same ({@code Progress.pendingSnapshot}).
     */
    private void sendNewestSnapshot(Message.InstallSnapshot asked) {
        Snapshot newest = snapshots.latest();
        if (newest == null || newest.meta().index() < asked.meta().index()) {
            throw new IllegalStateException("the core asked to send snapshot " + asked.meta() + ", but the store's newest is "
                    + (newest == null ? "none" : newest.meta()));
        }
        transport.sendSnapshot(new Message.InstallSnapshot(asked.from(), asked.to(), asked.term(), newest.meta()), newest);
    }

    /** Why this node cannot serve what only a leader may: it names the leader, or says how many voters it hears. */
    private NotAppliedException notLeader() {
        if (node.leader() == null && node.role() != Role.LEADER) {
            return new NoLeaderException(node.reachableVoters(), node.members().voters().size());
        }
        return new NotAppliedException("not the leader", node.leader());
    }

    private boolean refuseIfStopped(CompletableFuture<Object> future) {
        if (!stopped && node != null) return false;
        future.completeExceptionally(new NotAppliedException("the node is not running", null));
        return true;
    }

    private void failReadsAwaitingIndex(String why) {
        readsAwaitingIndex.values().forEach(r -> r.future().completeExceptionally(new NotAppliedException(why, null)));
        readsAwaitingIndex.clear();
    }

    /** What the core noticed, said where an operator looks. */
    private static void log(RaftEvent event) {
        if (event instanceof RaftEvent.LostCommittedEntries e) {
            LOG.error("{} LOST COMMITTED ENTRIES: its log ends at {}, but it had made commit index {} durable (a disk"
                    + " that lied about fsync, a restored backup, a cut file?); it will not vote, campaign or count"
                    + " towards commit until a leader has given it back everything it may have acknowledged",
                    e.node(), e.logEnd(), e.commitHint());
        } else if (event instanceof RaftEvent.StillRepairing e) {
            LOG.error("{} restarted in the middle of repairing committed entries it lost (log ends at {}): it still"
                    + " will not vote, campaign or count towards commit until a leader confirms the repair",
                    e.node(), e.logEnd());
        } else if (event instanceof RaftEvent.FollowerLostEntries e) {
            LOG.warn("{}: follower {} lost entries it had acknowledged: it holds our log up to {} only, but had"
                    + " acknowledged {}; replicating to it again from {}", e.leader(), e.follower(), e.logEnd(),
                    e.acknowledged(), e.logEnd() + 1);
        } else if (event instanceof RaftEvent.FollowerRepairing e) {
            LOG.warn("{}: follower {} says it lost committed entries; it counts towards commit again once it holds"
                    + " our log up to {}", e.leader(), e.follower(), e.target());
        } else if (event instanceof RaftEvent.Repaired e) {
            LOG.warn("{} is repaired: leader {} confirmed it holds the log up to {}, everything it may have"
                    + " acknowledged before it lost entries; it votes again", e.node(), e.leader(), e.index());
        } else if (event instanceof RaftEvent.FollowerNotHearingUs e) {
            LOG.warn("{}: follower {} asks for votes while we lead it, so what we send does not reach it; probing it"
                    + " afresh and reconnecting to it", e.leader(), e.follower());
        } else if (event instanceof RaftEvent.LostForGood e) {
            LOG.error("{} is the only voter and lost committed entries {}..{}: nobody holds them to repair it"
                    + " from, they are gone; it leads on with its log up to {}", e.node(), e.logEnd() + 1,
                    e.commitHint(), e.logEnd());
        }
    }

    private void logRoleChange() {
        // a term that rose while this node campaigns or leads is one it started: only its own campaign raises a
        // term and leaves it anything but a follower (a lone voter goes from follower to leader within one step)
        boolean campaigned = node.role() == Role.CANDIDATE || node.role() == Role.LEADER;
        if (campaigned && node.term() > lastTerm) {
            counters.electionsStarted.increment();
        }
        if (node.leader() != null && !node.leader().equals(lastLeader)) {
            counters.leaderChanges.increment();
            lastLeader = node.leader();
        }
        if (node.role() != lastRole || node.term() != lastTerm) {
            LOG.info("{} is {} in term {} (leader: {})", node.id(), node.role().label(), node.term(),
                    node.leader() == null ? "unknown" : node.leader());
            lastRole = node.role();
            lastTerm = node.term();
        }
    }

    /** What the node knows of itself, read on the event loop. */
    /** {@code matchIndex}: on a leader, how much of the log each other member holds; empty elsewhere. */
    /**
     * {@code repairing}: this node lost committed entries and waits for a leader to give them back (it does not
     * vote meanwhile); {@code repairingPeers}: on a leader, the followers that do (their acks do not count).
     */
    public record Status(String id, Role role, long term, String leader, long commitIndex, long appliedIndex,
                         ClusterConfig members, Map<String, Long> matchIndex, boolean repairing,
                         java.util.Set<String> repairingPeers) {
    }

    /** A consistent view of the node's state, from any thread. */
    public CompletableFuture<Status> status() {
        CompletableFuture<Status> future = new CompletableFuture<>();
        loop.execute(() -> {
            if (node == null) {
                future.completeExceptionally(new NotAppliedException("the node is not running", null));
                return;
            }
            future.complete(currentStatus());
        });
        return future;
    }

    /**
     * The {@link Status} as of the latest tick, from any thread without waiting for the loop (metrics, health
     * checks); null before the server started and after it stopped. It may trail {@link #status()} by a tick.
     */
    public Status published() {
        return published;
    }

    /** What this server has done so far; read from any thread. */
    public RaftCounters counters() {
        return counters;
    }

    /**
     * The bytes of log entries the core holds in memory (those after its latest snapshot), from any thread:
     * {@code snapshotEveryBytes} keeps it near that size whatever the entries' sizes.
     */
    public CompletableFuture<Long> logBytesInMemory() {
        CompletableFuture<Long> future = new CompletableFuture<>();
        loop.execute(() -> {
            if (node == null) future.completeExceptionally(new NotAppliedException("the node is not running", null));
            else future.complete(node.logBytes());
        });
        return future;
    }

    // ---------------------------------------------------------------- views (event loop thread only)

    /** The core, for status pages and the simulator's checkers. Only on the event loop thread. */
    public RaftNode core() {
        return node;
    }

    /** Completes with the cause of the {@link FatalError} that stopped this server; the process should exit. */
    public CompletableFuture<Throwable> failure() {
        return failure;
    }

    public boolean isStopped() {
        return stopped;
    }

    public Options options() {
        return options;
    }
}
