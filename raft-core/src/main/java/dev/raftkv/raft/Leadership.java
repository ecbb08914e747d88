package dev.raftkv.raft;

import dev.raftkv.raft.Message.AppendEntries;
import dev.raftkv.raft.Message.AppendResponse;
import dev.raftkv.raft.Message.Heartbeat;
import dev.raftkv.raft.Message.HeartbeatResponse;
import dev.raftkv.raft.Message.InstallSnapshot;
import dev.raftkv.raft.Message.Repaired;
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
    /** A ReadIndex read at {@code index}, waiting for a quorum to ack heartbeat round {@code seq}: proof that we still lead. */
    private record ReadAwaitingQuorum(long requestId, long index, long seq, Set<String> acks) {
    }

    /** All this leader may read of its node and do to it. */
    private final LeaderPowers node;
    private final RaftLog log;
    private final long term;
    private final Map<String, Progress> progress = new TreeMap<>();

    private int heartbeatElapsed;
    private boolean broadcastPending;
    private boolean heartbeatPending;

    /** The number of the latest heartbeat round sent; a ReadIndex read waits for a quorum to ack a later one. */
    private long readSeq;
    private final ArrayDeque<ReadAwaitingQuorum> readsAwaitingQuorum = new ArrayDeque<>();
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

    Leadership(LeaderPowers node, long term) {
        this.node = node;
        this.log = node.log();
        this.term = term;
        this.lease = new Lease(node.config().leaseTicks());
        for (String peer : node.members().members()) {
            if (!peer.equals(node.id())) progress.put(peer, newProgress());
        }
    }

    /** A follower we know nothing of yet: probe from the end of our log. */
    private Progress newProgress() {
        return new Progress(log.lastIndex() + 1, node.config().maxInflight(), node.config().maxInflightBytes(), node.now());
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

    /** True while {@code peer} repairs entries it lost: it may not campaign, so it cannot take leadership over. */
    boolean isRepairing(String peer) {
        Progress pr = progress.get(peer);
        return pr != null && pr.awaitingRepair();
    }

    java.util.Set<String> repairingFollowers() {
        java.util.Set<String> out = new java.util.TreeSet<>();
        progress.forEach((peer, pr) -> {
            if (pr.awaitingRepair()) out.add(peer);
        });
        return out;
    }

    // ---------------------------------------------------------------- time

    void tick() {
        if (++heartbeatElapsed >= node.config().heartbeatTicks()) {
            heartbeatElapsed = 0;
            heartbeatPending = true;
        }
        if (transferTarget != null && ++transferElapsed >= node.config().electionTicks()) {
            transferTarget = null; // the target did not take over in time; lead on
        }
        if (!node.config().has(InjectedBug.NO_CHECK_QUORUM) && !quorumRecentlyActive()) {
            // cut off from the majority: stop serving and let the majority elect a leader of its own
            node.resign();
        }
    }

    /** True if a majority of voters (counting us) was heard from within the last election timeout. */
    private boolean quorumRecentlyActive() {
        Set<String> active = new HashSet<>();
        active.add(node.id());
        progress.forEach((peer, pr) -> {
            if (node.now() - pr.lastHeardTick < node.config().electionTicks()) active.add(peer);
        });
        return Quorum.isQuorum(node.members().voters(), active);
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
            lease.roundSent(readSeq, node.now());
            for (Map.Entry<String, Progress> e : progress.entrySet()) {
                Progress pr = e.getValue();
                send(new Heartbeat(node.id(), e.getKey(), term, Math.min(pr.match, log.committed()), readSeq));
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
            // by bytes as well as count: a follower far behind must never be sent more than one frame carries
            long maxBytes = node.config().has(InjectedBug.NO_BYTE_BUDGET) ? Long.MAX_VALUE : node.config().maxBytesPerMessage();
            List<Entry> entries = log.slice(pr.next, log.lastIndex(), node.config().maxEntriesPerMessage(), maxBytes);
            if (entries.isEmpty() && !evenIfEmpty && pr.state == Progress.State.REPLICATE) return;
            send(new AppendEntries(node.id(), peer, term, prev, prevTerm, entries, log.committed()));
            if (pr.inflights.count() == 0) pr.lastProgressTick = node.now(); // the stall clock starts with the first message out
            pr.sentEntries(prev + entries.size(), entries.size(), Entry.sizeBytes(entries));
            if (entries.isEmpty() || pr.state != Progress.State.REPLICATE) return;
            evenIfEmpty = false;
        }
    }

    private void sendSnapshot(String peer, Progress pr) {
        SnapshotMeta snap = node.latestSnapshot();
        send(new InstallSnapshot(node.id(), peer, term, snap));
        pr.becomeSnapshot(snap.index(), node.now());
    }

    void onAppendResponse(AppendResponse r) {
        Progress pr = progress.get(r.from());
        if (pr == null) return;
        pr.lastHeardTick = node.now();
        if (!noticeRepair(r.from(), pr, r.repairId())) return;
        if (!r.success()) {
            if (r.rejectHint() <= pr.match) {
                followerBelowMatch(r, pr);
                return;
            }
            if (pr.maybeDecreaseTo(r.matchIndex(), r.rejectHint())) {
                if (pr.state == Progress.State.REPLICATE) pr.becomeProbe();
                sendAppend(r.from(), false);
            }
            return;
        }
        boolean updated = pr.maybeUpdate(r.matchIndex());
        if (updated) pr.lastProgressTick = node.now();
        if (pr.awaitingRepair() && pr.match >= pr.repairTarget) pr.repairDone = true; // it counts from here on
        if (pr.repairDone && r.repairId() == pr.repairId) confirmRepair(r.from(), pr);
        if (pr.state == Progress.State.SNAPSHOT && pr.match >= pr.pendingSnapshot) pr.becomeProbe();
        // a probe answered with what we already knew (a follower probed at its match) also ends probing:
        // waiting for an update that no entry will bring would send probe after probe
        if (pr.state == Progress.State.PROBE && pr.match == r.matchIndex()) pr.becomeReplicate(node.now());
        if (updated && maybeCommit()) {
            for (String peer : progress.keySet()) sendAppend(peer, true); // tell everyone the new commit index
        } else {
            sendAppend(r.from(), false);
        }
        if (r.from().equals(transferTarget) && pr.match == log.lastIndex()) sendTimeoutNow();
    }

    /**
     * Looks at whether an answer says its sender repairs lost committed entries. Returns false if the answer
     * must be ignored. Safe because:
     * <ul>
     * <li>everything the follower can have acknowledged before it lost entries is in our log, at most at our
     *     last index when we hear of the repair: what it acknowledged to us, we had appended; what it
     *     acknowledged to an earlier leader and was committed is in our log (leader completeness), and what
     *     was not committed no one needs;</li>
     * <li>until it holds our log up to that index its acknowledgements do not count, and answers without the
     *     repair id are ignored: they were sent before it restarted and speak of entries it no longer holds;</li>
     * <li>it votes for no one meanwhile, so a majority that elects a leader without it still overlaps every
     *     majority that committed an entry with its help (as long as no other member lost entries too);</li>
     * <li>a repair id is drawn at each start, so a second loss is a new repair with a new target.</li>
     * </ul>
     */
    private boolean noticeRepair(String peer, Progress pr, long repairId) {
        if (repairId != 0 && repairId != pr.repairId) {
            pr.repairId = repairId;
            pr.repairTarget = log.lastIndex();
            pr.repairDone = false;
            node.report(new RaftEvent.FollowerRepairing(node.id(), peer, pr.repairTarget));
            // what we believed it holds is gone; probe from our end, its rejection says where its log ends
            pr.forget(log.lastIndex() + 1);
            sendAppend(peer, false);
            return false;
        }
        return repairId != 0 || !pr.awaitingRepair();
    }

    /** The follower holds our log up to the repair's target: it may vote and count again. */
    private void confirmRepair(String peer, Progress pr) {
        send(new Repaired(node.id(), peer, term, pr.repairId, pr.match));
    }

    /**
     * A rejection that says the follower's log matches ours only below what it acknowledged. Ignoring it (as
     * a stale answer) left a follower whose disk lost acknowledged entries stuck forever: every append started
     * past its end. But a rejection delayed in the network says the same about a follower that has caught up
     * since, so a pipelining leader first probes at the acknowledged index; the answer to that probe, one at a
     * time, is the follower's present log, and if it still ends below, the leader believes it.
     */
    private void followerBelowMatch(AppendResponse r, Progress pr) {
        if (pr.state == Progress.State.PROBE && pr.next - 1 == r.matchIndex()) {
            node.report(new RaftEvent.FollowerLostEntries(node.id(), r.from(), pr.match, r.rejectHint() - 1));
            pr.forget(r.rejectHint());
            sendAppend(r.from(), false);
        } else if (pr.state == Progress.State.REPLICATE) {
            pr.becomeProbe(); // probes at match + 1: the follower answers what it holds now
            sendAppend(r.from(), false);
        }
        // otherwise an answer to an earlier probe: the one out now will tell
    }

    /**
     * {@code peer} campaigns while we lead it: our messages do not reach it, whatever its progress says is in
     * flight. Probe it afresh, and tell the driver (see {@link RaftEvent.FollowerNotHearingUs}).
     */
    void followerCampaigns(String peer) {
        Progress pr = progress.get(peer);
        if (pr == null || node.now() - pr.lastNotHearingTick < node.config().electionTicks()) return;
        if (node.config().has(InjectedBug.KEEP_STALE_CONNECTIONS)) return;
        pr.lastNotHearingTick = node.now();
        if (pr.state != Progress.State.PROBE || pr.probeSent) pr.becomeProbe();
        node.report(new RaftEvent.FollowerNotHearingUs(node.id(), peer));
    }

    void onHeartbeatResponse(HeartbeatResponse r) {
        Progress pr = progress.get(r.from());
        if (pr == null) return;
        pr.lastHeardTick = node.now();
        if (noticeRepair(r.from(), pr, r.repairId()) && pr.repairDone && r.repairId() == pr.repairId) {
            confirmRepair(r.from(), pr); // the last Repaired may have been lost: say it again, once a heartbeat
        }
        if (pr.isStalled(node.now(), node.config().electionTicks())) pr.becomeProbe();
        if (pr.match < log.lastIndex()) sendAppend(r.from(), false);
        lease.acked(r.from(), r.readSeq(), node.now(), node.config().has(InjectedBug.LEASE_FROM_ACK));
        for (ReadAwaitingQuorum read : readsAwaitingQuorum) {
            if (read.seq() <= r.readSeq()) read.acks().add(r.from());
        }
        releaseConfirmedReads();
    }

    /** Advances the commit index to what a majority holds durably, counting only entries of our own term. */
    boolean maybeCommit() {
        long candidate = Quorum.committedIndex(node.members().voters(), peer -> {
            if (peer.equals(node.id())) return log.persisted();
            Progress pr = progress.get(peer);
            return pr.awaitingRepair() ? 0 : pr.match; // see noticeRepair
        });
        if (candidate <= log.committed()) return false;
        if (log.term(candidate) != term && !node.config().has(InjectedBug.COMMIT_PREVIOUS_TERM)) return false;
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
        if (node.config().has(InjectedBug.STALE_READ)) {
            node.answerRead(new ReadState(requestId, log.committed()));
            return;
        }
        if (!committedInThisTerm()) {
            readsBeforeNoop.add(requestId);
            return;
        }
        Set<String> acks = new HashSet<>();
        acks.add(node.id());
        // confirmed by acks of the next round, which leaves after this read arrived
        readsAwaitingQuorum.addLast(new ReadAwaitingQuorum(requestId, log.committed(), readSeq + 1, acks));
        heartbeatPending = true;
        releaseConfirmedReads();
    }

    /**
     * A read answered from the lease when this leader holds one and its term's no-op has committed
     * (before that our commit index may be behind); otherwise the ReadIndex round trip.
     */
    void leaseRead(long requestId) {
        if (committedInThisTerm() && lease.holds(node.members().voters(), node.id(), node.now())) {
            node.answerRead(new ReadState(requestId, log.committed()));
            return;
        }
        readIndex(requestId);
    }

    /** Reads are confirmed in order: a quorum that acked a later heartbeat also confirms every earlier read. */
    private void releaseConfirmedReads() {
        ReadAwaitingQuorum last = null;
        for (ReadAwaitingQuorum read : readsAwaitingQuorum) {
            if (Quorum.isQuorum(node.members().voters(), read.acks())) last = read;
        }
        if (last == null) return;
        while (true) {
            ReadAwaitingQuorum read = readsAwaitingQuorum.removeFirst();
            node.answerRead(new ReadState(read.requestId(), read.index()));
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
        if (!node.config().has(InjectedBug.LEASE_AFTER_TRANSFER)) lease.revoke();
        send(new TimeoutNow(node.id(), transferTarget, term));
    }

    /** Refuses every read still waiting: this node can no longer promise it leads. */
    void stepDown() {
        for (ReadAwaitingQuorum read : readsAwaitingQuorum) node.answerRead(new ReadState(read.requestId(), -1));
        for (long id : readsBeforeNoop) node.answerRead(new ReadState(id, -1));
        readsAwaitingQuorum.clear();
        readsBeforeNoop.clear();
    }

    Map<String, Progress> progress() {
        return progress;
    }

    // ---------------------------------------------------------------- membership

    /** Starts replicating to new members and forgets removed ones, as soon as the membership changes. */
    void membersChanged() {
        Set<String> now = node.members().members();
        progress.keySet().retainAll(now);
        for (String peer : now) {
            if (!peer.equals(node.id()) && !progress.containsKey(peer)) {
                // the new member probes back from our end; a fresh node rejects and hints where its log ends
                progress.put(peer, newProgress());
                broadcastPending = true;
            }
        }
        if (transferTarget != null && !node.members().isVoter(transferTarget)) transferTarget = null;
    }

    /** Null if {@code learner}'s log is within {@code maxLag} entries of ours; otherwise why it may not vote yet. */
    String lagOf(String learner, long maxLag) {
        Progress pr = progress.get(learner);
        if (pr == null) return "unknown member '" + learner + "'";
        if (pr.awaitingRepair()) return learner + " is repairing entries it lost; it may vote once it holds " + pr.repairTarget;
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
            Progress pr = e.getValue();
            if (node.members().isVoter(e.getKey()) && pr.match == log.lastIndex() && !pr.awaitingRepair()) return e.getKey();
        }
        return null;
    }
}
