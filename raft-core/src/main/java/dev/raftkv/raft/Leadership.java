package dev.raftkv.raft;

import dev.raftkv.raft.Message.AppendEntries;
import dev.raftkv.raft.Message.AppendResponse;
import dev.raftkv.raft.Message.Heartbeat;
import dev.raftkv.raft.Message.HeartbeatResponse;
import dev.raftkv.raft.Message.InstallSnapshot;
import dev.raftkv.raft.Message.TimeoutNow;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What a node holds only while it leads one term: per-follower progress, pending ReadIndex
 * requests, check-quorum bookkeeping and a leadership transfer. Created by {@link RaftNode} when it
 * wins an election and dropped when it steps down, so no leader state outlives its term.
 */
final class Leadership {
    /** A ReadIndex request waiting for a quorum to confirm that we still lead. */
    private record PendingRead(long requestId, long index, long seq, Set<String> acks) {
    }

    private final RaftNode node;
    private final RaftLog log;
    private final long term;
    private final Map<String, Progress> progress = new TreeMap<>();

    private int heartbeatElapsed;
    private boolean broadcastPending;
    private boolean heartbeatPending;

    /** The number of the latest heartbeat round sent; a ReadIndex read waits for a quorum to ack a later one. */
    private long readSeq;
    private final ArrayDeque<PendingRead> pendingReads = new ArrayDeque<>();
    private final Lease lease;
    /** Reads that arrived before this term's no-op committed: until then our commit index may be behind. */
    private final List<Long> readsBeforeNoop = new ArrayList<>();

    private String transferTarget;
    private int transferElapsed;
    /**
     * A node that won alone (the single voter) took no vote from anyone, so nothing made its term durable
     * before it led. Until its first entry of the term is durable (and with it the term), what it sends
     * waits for the disk: else a crash could let it lead this term again and give a learner two
     * different entries with one index and term.
     */
    private long holdUntilPersisted;

    Leadership(RaftNode node) {
        this.node = node;
        this.log = node.log;
        this.term = node.currentTerm();
        this.lease = new Lease(node.cfg.leaseTicks());
        for (String peer : node.members.members()) {
            if (!peer.equals(node.id)) progress.put(peer, new Progress(log.lastIndex() + 1, node.cfg.maxInflight(), node.now));
        }
    }

    void holdMessagesUntilPersisted(long index) {
        holdUntilPersisted = index;
    }

    private void send(Message m) {
        if (log.persisted() < holdUntilPersisted) node.sendAfterPersist(m);
        else node.send(m);
    }

    String transferTarget() {
        return transferTarget;
    }

    // ---------------------------------------------------------------- time

    void tick() {
        if (++heartbeatElapsed >= node.cfg.heartbeatTicks()) {
            heartbeatElapsed = 0;
            heartbeatPending = true;
        }
        if (transferTarget != null && ++transferElapsed >= node.cfg.electionTicks()) {
            transferTarget = null; // the target did not take over in time; lead on
        }
        if (!node.cfg.has(InjectedBug.NO_CHECK_QUORUM) && !quorumRecentlyActive()) {
            // cut off from the majority: stop serving and let the majority elect a leader of its own
            node.becomeFollower(term, null);
        }
    }

    /** True if a majority of voters (counting us) was heard from within the last election timeout. */
    private boolean quorumRecentlyActive() {
        Set<String> active = new HashSet<>();
        active.add(node.id);
        progress.forEach((peer, pr) -> {
            if (node.now - pr.lastHeardTick < node.cfg.electionTicks()) active.add(peer);
        });
        return Quorum.isQuorum(node.members.voters(), active);
    }

    // ---------------------------------------------------------------- replication

    void entriesAppended() {
        broadcastPending = true;
        maybeCommit(); // a single voter commits alone
    }

    /** Sends what inputs since the last Ready asked for, once, so a burst of proposals becomes few messages. */
    void flush() {
        if (heartbeatPending) {
            heartbeatPending = false;
            readSeq++;
            lease.roundSent(readSeq, node.now);
            for (Map.Entry<String, Progress> e : progress.entrySet()) {
                Progress pr = e.getValue();
                send(new Heartbeat(node.id, e.getKey(), term, Math.min(pr.match, log.committed()), readSeq));
                // a heartbeat also gives a stalled probe another chance
                if (pr.state == Progress.State.PROBE) pr.probeSent = false;
            }
            broadcastPending = true;
        }
        if (broadcastPending) {
            broadcastPending = false;
            for (String peer : progress.keySet()) sendAppend(peer, false);
        }
    }

    /** Sends the follower what it lacks; with {@code evenIfEmpty}, an empty append carries the new commit index. */
    private void sendAppend(String peer, boolean evenIfEmpty) {
        Progress pr = progress.get(peer);
        while (!pr.isPaused()) {
            long prev = pr.next - 1;
            long prevTerm = log.term(prev);
            if (prevTerm < 0) {
                sendSnapshot(peer, pr);
                return;
            }
            List<Entry> entries = log.slice(pr.next, log.lastIndex(), node.cfg.maxEntriesPerMessage());
            if (entries.isEmpty() && !evenIfEmpty && pr.state == Progress.State.REPLICATE) return;
            send(new AppendEntries(node.id, peer, term, prev, prevTerm, entries, log.committed()));
            if (pr.inflights.count() == 0) pr.lastProgressTick = node.now; // the stall clock starts with the first message out
            pr.sentEntries(prev + entries.size(), entries.size());
            if (entries.isEmpty() || pr.state != Progress.State.REPLICATE) return;
            evenIfEmpty = false;
        }
    }

    private void sendSnapshot(String peer, Progress pr) {
        SnapshotMeta snap = node.latestSnapshot();
        send(new InstallSnapshot(node.id, peer, term, snap));
        pr.becomeSnapshot(snap.index(), node.now);
    }

    void onAppendResponse(AppendResponse r) {
        Progress pr = progress.get(r.from());
        if (pr == null) return;
        pr.lastHeardTick = node.now;
        if (!r.success()) {
            if (pr.maybeDecreaseTo(r.matchIndex(), r.rejectHint())) {
                if (pr.state == Progress.State.REPLICATE) pr.becomeProbe();
                sendAppend(r.from(), false);
            }
            return;
        }
        boolean updated = pr.maybeUpdate(r.matchIndex());
        if (updated) pr.lastProgressTick = node.now;
        if (pr.state == Progress.State.SNAPSHOT && pr.match >= pr.pendingSnapshot) pr.becomeProbe();
        if (pr.state == Progress.State.PROBE && updated) pr.becomeReplicate(node.now);
        if (updated && maybeCommit()) {
            for (String peer : progress.keySet()) sendAppend(peer, true); // tell everyone the new commit index
        } else {
            sendAppend(r.from(), false);
        }
        if (r.from().equals(transferTarget) && pr.match == log.lastIndex()) sendTimeoutNow();
    }

    void onHeartbeatResponse(HeartbeatResponse r) {
        Progress pr = progress.get(r.from());
        if (pr == null) return;
        pr.lastHeardTick = node.now;
        if (pr.isStalled(node.now, node.cfg.electionTicks())) pr.becomeProbe();
        if (pr.match < log.lastIndex()) sendAppend(r.from(), false);
        lease.acked(r.from(), r.readSeq(), node.now, node.cfg.has(InjectedBug.LEASE_FROM_ACK));
        for (PendingRead read : pendingReads) {
            if (read.seq() <= r.readSeq()) read.acks().add(r.from());
        }
        releaseConfirmedReads();
    }

    /** Advances the commit index to what a majority holds durably, counting only entries of our own term. */
    boolean maybeCommit() {
        long candidate = Quorum.committedIndex(node.members.voters(),
                peer -> peer.equals(node.id) ? log.persisted() : progress.get(peer).match);
        if (candidate <= log.committed()) return false;
        if (log.term(candidate) != term && !node.cfg.has(InjectedBug.COMMIT_PREVIOUS_TERM)) return false;
        log.commitTo(candidate);
        if (committedInThisTerm() && !readsBeforeNoop.isEmpty()) {
            List<Long> waiting = List.copyOf(readsBeforeNoop);
            readsBeforeNoop.clear();
            waiting.forEach(this::readIndex);
        }
        return true;
    }

    boolean committedInThisTerm() {
        return log.term(log.committed()) == term;
    }

    // ---------------------------------------------------------------- reads

    void readIndex(long requestId) {
        if (node.cfg.has(InjectedBug.STALE_READ)) {
            node.reads.add(new ReadState(requestId, log.committed()));
            return;
        }
        if (!committedInThisTerm()) {
            readsBeforeNoop.add(requestId);
            return;
        }
        Set<String> acks = new HashSet<>();
        acks.add(node.id);
        // confirmed by acks of the next round, which leaves after this read arrived
        pendingReads.addLast(new PendingRead(requestId, log.committed(), readSeq + 1, acks));
        heartbeatPending = true;
        releaseConfirmedReads();
    }

    /**
     * A read answered from the lease when this leader holds one and its term's no-op has committed
     * (before that our commit index may be behind); otherwise the ReadIndex round trip.
     */
    void leaseRead(long requestId) {
        if (committedInThisTerm() && lease.holds(node.members.voters(), node.id, node.now)) {
            node.reads.add(new ReadState(requestId, log.committed()));
            return;
        }
        readIndex(requestId);
    }

    /** Reads are confirmed in order: a quorum that acked a later heartbeat also confirms every earlier read. */
    private void releaseConfirmedReads() {
        PendingRead last = null;
        for (PendingRead read : pendingReads) {
            if (Quorum.isQuorum(node.members.voters(), read.acks())) last = read;
        }
        if (last == null) return;
        while (true) {
            PendingRead read = pendingReads.removeFirst();
            node.reads.add(new ReadState(read.requestId(), read.index()));
            if (read == last) return;
        }
    }

    // ---------------------------------------------------------------- transfer and stepping down

    void transferTo(String target) {
        transferTarget = target;
        transferElapsed = 0;
        Progress pr = progress.get(target);
        if (pr.match == log.lastIndex()) sendTimeoutNow();
        else sendAppend(target, false);
    }

    /** The target's election ignores leader stickiness, so our lease is void from here on in this term. */
    private void sendTimeoutNow() {
        if (!node.cfg.has(InjectedBug.LEASE_AFTER_TRANSFER)) lease.revoke();
        send(new TimeoutNow(node.id, transferTarget, term));
    }

    /** Refuses every read still waiting: this node can no longer promise it leads. */
    void stepDown() {
        for (PendingRead read : pendingReads) node.reads.add(new ReadState(read.requestId(), -1));
        for (long id : readsBeforeNoop) node.reads.add(new ReadState(id, -1));
        pendingReads.clear();
        readsBeforeNoop.clear();
    }

    Map<String, Progress> progress() {
        return progress;
    }

    // ---------------------------------------------------------------- membership

    /** Starts replicating to new members and forgets removed ones, as soon as the membership changes. */
    void membersChanged() {
        Set<String> now = node.members.members();
        progress.keySet().retainAll(now);
        for (String peer : now) {
            if (!peer.equals(node.id) && !progress.containsKey(peer)) {
                // the new member probes back from our end; a fresh node rejects and hints where its log ends
                progress.put(peer, new Progress(log.lastIndex() + 1, node.cfg.maxInflight(), node.now));
                broadcastPending = true;
            }
        }
        if (transferTarget != null && !node.members.isVoter(transferTarget)) transferTarget = null;
    }

    /** Null if {@code learner}'s log is within {@code maxLag} entries of ours; otherwise why it may not vote yet. */
    String lagOf(String learner, long maxLag) {
        Progress pr = progress.get(learner);
        if (pr == null) return "unknown member '" + learner + "'";
        long behind = log.lastIndex() - pr.match;
        // only a learner that answered (REPLICATE: we know where its log ends) is known to be close
        if (pr.state != Progress.State.REPLICATE || behind > maxLag) {
            return learner + " is still catching up (" + behind + " entries behind; promotion needs at most " + maxLag + ")";
        }
        return null;
    }

    /** A voter other than us that holds our whole log, or null: the best successor for a leader that leaves. */
    String upToDateVoter() {
        for (Map.Entry<String, Progress> e : progress.entrySet()) {
            if (node.members.isVoter(e.getKey()) && e.getValue().match == log.lastIndex()) return e.getKey();
        }
        return null;
    }
}
