package dev.raftkv.raft;

import dev.raftkv.raft.Message.AppendEntries;
import dev.raftkv.raft.Message.AppendResponse;
import dev.raftkv.raft.Message.Heartbeat;
import dev.raftkv.raft.Message.HeartbeatResponse;
import dev.raftkv.raft.Message.InstallSnapshot;
import dev.raftkv.raft.Message.PreVoteRequest;
import dev.raftkv.raft.Message.PreVoteResponse;
import dev.raftkv.raft.Message.TimeoutNow;
import dev.raftkv.raft.Message.VoteRequest;
import dev.raftkv.raft.Message.VoteResponse;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The Raft protocol for one node, as a deterministic state machine: no threads, no I/O, no clock.
 * The driver feeds it {@link #tick}, {@link #step}, {@link #propose}, {@link #readIndex},
 * {@link #transferLeadership}, {@link #persisted} and {@link #snapshotTaken}, and collects what
 * must happen next with {@link #ready}. Randomness (election jitter) comes from the injected Random.
 *
 * <p>{@link #step} checks the term once, then hands the message to the part that handles it
 * (the shape of etcd-io/raft's {@code Step}). Leader-side replication lives in {@link Leadership}.
 */
public final class RaftNode {
    final RaftConfig cfg;
    final String id;
    private final Random random;
    final RaftLog log;
    private final Memberships memberships;
    /** The latest membership in the log ({@link Memberships#latest}), kept in a field because every path reads it. */
    ClusterConfig members;

    private long term;
    private String votedFor;
    private String leader;
    private Role role = Role.FOLLOWER;

    /** Logical time, counted in ticks. */
    long now;
    private int electionElapsed;
    private int randomizedElectionTimeout;
    private final Map<String, Boolean> votes = new HashMap<>();

    /** Present only while this node leads. */
    Leadership leadership;

    private SnapshotMeta latestSnapshot;
    private SnapshotMeta snapshotToInstall;
    private HardState lastHardState;

    final List<Message> messages = new ArrayList<>();
    final List<Message> messagesAfterPersist = new ArrayList<>();
    final List<ReadState> reads = new ArrayList<>();

    /**
     * @param hardState what the node last made durable ({@link HardState#INITIAL} for a new node)
     * @param snapshot  the latest durable snapshot, or null
     * @param entries   the durable log after the snapshot
     */
    public RaftNode(RaftConfig cfg, ClusterConfig members, Random random, HardState hardState,
                    SnapshotMeta snapshot, List<Entry> entries) {
        this.cfg = cfg;
        this.id = cfg.id();
        this.random = random;
        ClusterConfig base = snapshot != null ? snapshot.config() : members;
        this.latestSnapshot = snapshot != null ? snapshot : new SnapshotMeta(0, 0, base);
        this.log = new RaftLog(latestSnapshot.index(), latestSnapshot.term(), entries, hardState.commit());
        this.memberships = new Memberships(base, entries);
        this.members = memberships.latest();
        this.term = hardState.term();
        this.votedFor = hardState.votedFor();
        this.lastHardState = hardState;
        resetElectionTimer();
    }

    // ---------------------------------------------------------------- inputs

    /** One unit of logical time. */
    public void tick() {
        now++;
        if (role == Role.LEADER) {
            leadership.tick();
            return;
        }
        electionElapsed++;
        if (electionElapsed >= randomizedElectionTimeout && mayCampaign()) {
            preCampaign();
        }
    }

    public void step(Message m) {
        if (!m.to().equals(id)) throw new IllegalArgumentException(id + " got a message for " + m.to() + ": " + m);
        if (m.term() > term) {
            if (m instanceof PreVoteRequest || m instanceof VoteRequest) {
                boolean transfer = m instanceof VoteRequest v && v.transfer();
                if (!transfer && hasLiveLeader()) return; // leader stickiness: a live leader outranks a disruptive node
            }
            if (m instanceof PreVoteRequest) {
                // a pre-vote never changes anyone's term
            } else if (m instanceof PreVoteResponse r && r.granted()) {
                // granted pre-votes echo the term we would campaign in
            } else if (m instanceof AppendEntries || m instanceof Heartbeat || m instanceof InstallSnapshot) {
                becomeFollower(m.term(), m.from());
            } else {
                becomeFollower(m.term(), null);
            }
        } else if (m.term() < term) {
            answerStale(m);
            return;
        }

        if (m instanceof PreVoteRequest r) {
            handlePreVote(r);
        } else if (m instanceof VoteRequest r) {
            handleVote(r);
        } else if (m instanceof PreVoteResponse r) {
            if (role == Role.PRE_CANDIDATE) tallyVote(r.from(), r.granted());
        } else if (m instanceof VoteResponse r) {
            if (role == Role.CANDIDATE) tallyVote(r.from(), r.granted());
        } else if (m instanceof AppendEntries a) {
            followLeader(a.from());
            handleAppend(a);
        } else if (m instanceof Heartbeat h) {
            followLeader(h.from());
            log.commitTo(Math.min(h.leaderCommit(), log.lastIndex()));
            sendAfterPersist(new HeartbeatResponse(id, h.from(), term, h.readSeq()));
        } else if (m instanceof InstallSnapshot s) {
            followLeader(s.from());
            handleSnapshot(s);
        } else if (m instanceof TimeoutNow) {
            if (mayCampaign() && role != Role.LEADER) campaign(true);
        } else if (m instanceof AppendResponse r) {
            if (role == Role.LEADER) leadership.onAppendResponse(r);
        } else if (m instanceof HeartbeatResponse r) {
            if (role == Role.LEADER) leadership.onHeartbeatResponse(r);
        }
        stepDownIfRemoved();
    }

    /** Appends a command if this node leads and is not handing leadership over. */
    public ProposeResult propose(byte[] data) {
        if (role != Role.LEADER) return new ProposeResult.Rejected("not the leader", leader);
        if (leadership.transferTarget() != null) {
            return new ProposeResult.Rejected("leadership transfer to " + leadership.transferTarget() + " in progress", id);
        }
        Entry e = Entry.normal(term, log.lastIndex() + 1, data);
        appendEntry(e);
        leadership.entriesAppended();
        return new ProposeResult.Accepted(e.index(), e.term());
    }

    /**
     * Proposes one single-server membership change. Refused while an earlier change is uncommitted (two
     * changes in flight could give the old and the newest membership disjoint majorities), and until this
     * leader committed an entry of its own term (the single-server algorithm's known flaw, fixed as the
     * dissertation's errata say). The new membership rules from the moment the entry is appended.
     */
    public ProposeResult changeMembership(ConfigChange change) {
        if (role != Role.LEADER) return new ProposeResult.Rejected("not the leader", leader);
        if (leadership.transferTarget() != null) {
            return new ProposeResult.Rejected("leadership transfer to " + leadership.transferTarget() + " in progress", id);
        }
        boolean bugged = cfg.has(InjectedBug.TWO_CHANGES_AT_ONCE);
        if (!bugged && !leadership.committedInThisTerm()) {
            return new ProposeResult.Rejected("the new leader has not committed an entry of its term yet; retry shortly", id);
        }
        if (!bugged && memberships.latestIndex() > log.committed()) {
            return new ProposeResult.Rejected("the membership change at index " + memberships.latestIndex()
                    + " is not committed yet; one change at a time", id);
        }
        ClusterConfig next;
        try {
            next = change.applyTo(members);
        } catch (IllegalArgumentException e) {
            return new ProposeResult.Invalid(e.getMessage());
        }
        if (change instanceof ConfigChange.Promote p) {
            String lag = leadership.lagOf(p.id(), p.maxLagEntries());
            if (lag != null) return new ProposeResult.Rejected(lag, id);
        }
        Entry e = Entry.config(term, log.lastIndex() + 1, next);
        appendEntry(e);
        leadership.entriesAppended();
        return new ProposeResult.Accepted(e.index(), e.term());
    }

    /**
     * Writes a brand-new node's starting membership into its log, as entry 1 of term 0, so that a restart
     * needs no flags to know it. Nodes bootstrapped with the same membership write the same entry, as
     * log matching requires; a node that will join a running cluster is never bootstrapped.
     */
    public void bootstrap(ClusterConfig initial) {
        if (log.lastIndex() != 0 || term != 0 || latestSnapshot.index() != 0) {
            throw new IllegalStateException("only a node with an empty log and term 0 can be bootstrapped");
        }
        appendEntry(Entry.config(0, 1, initial));
    }

    /** Asks for a linearizable read point; the answer comes back as a {@link ReadState} in a later Ready. */
    public void readIndex(long requestId) {
        if (role != Role.LEADER) {
            reads.add(new ReadState(requestId, -1));
            return;
        }
        leadership.readIndex(requestId);
    }

    /**
     * Like {@link #readIndex}, but a leader that holds a lease (see {@link Lease}) answers at once from its
     * commit index, without a heartbeat round. Correct only while clocks drift less than
     * {@link RaftConfig#maxClockDriftPercent()}; without a lease it falls back to ReadIndex.
     */
    public void leaseRead(long requestId) {
        if (role != Role.LEADER) {
            reads.add(new ReadState(requestId, -1));
            return;
        }
        leadership.leaseRead(requestId);
    }

    /**
     * Starts handing leadership to {@code target}. Returns null when started, or why it was refused.
     */
    public String transferLeadership(String target) {
        if (role != Role.LEADER) return "not the leader" + (leader == null ? "" : "; the leader is " + leader);
        if (!members.contains(target)) return "unknown member '" + target + "'";
        if (!members.isVoter(target)) return target + " is a learner, not a voter";
        if (target.equals(id)) return null;
        leadership.transferTo(target);
        return null;
    }

    /** The log writer made everything up to {@code index} (of {@code term}) durable. */
    public void persisted(long index, long term) {
        if (log.persistedTo(index, term) && role == Role.LEADER) leadership.maybeCommit();
        stepDownIfRemoved();
    }

    /** The driver stored a snapshot covering the log up to {@code meta.index()}; the core may forget those entries. */
    public void snapshotTaken(SnapshotMeta meta) {
        if (meta.index() <= latestSnapshot.index()) return;
        log.compactTo(meta.index());
        memberships.compactedTo(meta.index());
        latestSnapshot = meta;
    }

    /** Everything that must happen next; the caller owns it from here on. */
    public Ready ready() {
        if (leadership != null) leadership.flush();
        HardState hs = null;
        String durableVote = cfg.has(InjectedBug.FORGET_VOTE) ? null : votedFor;
        if (term != lastHardState.term() || !java.util.Objects.equals(durableVote, lastHardState.votedFor())) {
            hs = new HardState(term, durableVote, log.committed());
            lastHardState = hs;
        }
        SnapshotMeta snap = snapshotToInstall;
        snapshotToInstall = null;
        Ready r = new Ready(hs, log.takeUnhanded(), List.copyOf(messages), List.copyOf(messagesAfterPersist),
                log.takeCommittedToApply(), snap, List.copyOf(reads));
        messages.clear();
        messagesAfterPersist.clear();
        reads.clear();
        return r;
    }

    // ---------------------------------------------------------------- views (for the driver, status and checkers)

    public String id() {
        return id;
    }

    public Role role() {
        return role;
    }

    public long term() {
        return term;
    }

    public String votedFor() {
        return votedFor;
    }

    public String leader() {
        return leader;
    }

    public long commitIndex() {
        return log.committed();
    }

    public long appliedIndex() {
        return log.applied();
    }

    public long lastIndex() {
        return log.lastIndex();
    }

    public long firstIndex() {
        return log.firstIndex();
    }

    /** The term at {@code index}, or -1 if this node does not hold it (compacted, or beyond its end). */
    public long termAt(long index) {
        return log.term(index);
    }

    public Entry entryAt(long index) {
        return log.entry(index);
    }

    public ClusterConfig members() {
        return members;
    }

    /** The membership once the log up to {@code index} is applied: what a snapshot at {@code index} holds. */
    public ClusterConfig membersAt(long index) {
        return memberships.at(index);
    }

    /** On a leader, how much of the log each other member is known to hold; empty on other nodes. */
    public Map<String, Long> matchIndexes() {
        Map<String, Long> out = new java.util.TreeMap<>();
        if (leadership != null) leadership.progress().forEach((peer, pr) -> out.put(peer, pr.match));
        return out;
    }

    /** True while the latest membership change is appended but not yet committed. */
    public boolean membershipChangePending() {
        return memberships.latestIndex() > log.committed();
    }

    public SnapshotMeta latestSnapshot() {
        return latestSnapshot;
    }

    // ---------------------------------------------------------------- roles

    /**
     * A node that heard from a leader within an election timeout ignores (pre-)votes. Leases rely on it, so
     * where leases are possible a node that just booted counts as having heard one: before it went down it
     * may have acked a leader's heartbeat, and forgetting that would let it vote that leader's lease away.
     */
    private boolean hasLiveLeader() {
        boolean justBooted = now < cfg.electionTicks() && cfg.leaseTicks() > 0;
        boolean heardOrJustBooted = leader != null || justBooted;
        return heardOrJustBooted && electionElapsed < cfg.electionTicks();
    }

    void becomeFollower(long newTerm, String newLeader) {
        endLeadership();
        if (newTerm != term) {
            term = newTerm;
            votedFor = null;
        }
        role = Role.FOLLOWER;
        leader = newLeader;
        resetElectionTimer();
    }

    /** Drops leader-only state; reads still waiting for confirmation are refused. */
    private void endLeadership() {
        if (leadership != null) leadership.stepDown();
        leadership = null;
    }

    private void followLeader(String from) {
        if (role != Role.FOLLOWER) becomeFollower(term, from);
        leader = from;
        electionElapsed = 0;
    }

    private void preCampaign() {
        role = Role.PRE_CANDIDATE;
        leader = null;
        resetElectionTimer();
        votes.clear();
        votes.put(id, true);
        if (Quorum.voteResult(members.voters(), votes) == Quorum.VoteResult.WON) {
            campaign(false);
            return;
        }
        for (String peer : members.voters()) {
            if (!peer.equals(id)) send(new PreVoteRequest(id, peer, term + 1, log.lastIndex(), log.lastTerm()));
        }
    }

    private void campaign(boolean transfer) {
        endLeadership();
        term++;
        votedFor = id;
        role = Role.CANDIDATE;
        leader = null;
        resetElectionTimer();
        votes.clear();
        votes.put(id, true);
        if (Quorum.voteResult(members.voters(), votes) == Quorum.VoteResult.WON) {
            becomeLeader(true);
            return;
        }
        for (String peer : members.voters()) {
            // the request promises our own vote, so it leaves only once that vote is durable
            if (!peer.equals(id)) {
                sendAfterPersist(new VoteRequest(id, peer, term, log.lastIndex(), log.lastTerm(), transfer));
            }
        }
    }

    private void tallyVote(String from, boolean granted) {
        votes.put(from, granted);
        switch (Quorum.voteResult(members.voters(), votes)) {
            case WON -> {
                if (role == Role.PRE_CANDIDATE) campaign(false);
                else becomeLeader(false);
            }
            case LOST -> becomeFollower(term, null);
            case PENDING -> {
            }
        }
    }

    private void becomeLeader(boolean electedAlone) {
        role = Role.LEADER;
        leader = id;
        leadership = new Leadership(this);
        // a no-op of our own term lets us commit, and so learn the commit index, without waiting for a client
        appendEntry(Entry.noop(term, log.lastIndex() + 1));
        if (electedAlone) leadership.holdMessagesUntilPersisted(log.lastIndex());
        leadership.entriesAppended();
    }

    private void resetElectionTimer() {
        electionElapsed = 0;
        randomizedElectionTimeout = cfg.electionTicks() + random.nextInt(cfg.electionTicks());
    }

    // ---------------------------------------------------------------- votes

    private void handlePreVote(PreVoteRequest r) {
        // we may grant a pre-vote for a later term even if we voted in this one: nothing changes by it
        boolean grant = r.term() > term && log.isUpToDate(r.lastLogIndex(), r.lastLogTerm()) && votesIn(r.from());
        send(new PreVoteResponse(id, r.from(), grant ? r.term() : term, grant));
    }

    private void handleVote(VoteRequest r) {
        boolean canVote = r.from().equals(votedFor) || (votedFor == null && leader == null);
        boolean grant = canVote && log.isUpToDate(r.lastLogIndex(), r.lastLogTerm()) && votesIn(r.from());
        if (grant) {
            votedFor = r.from();
            electionElapsed = 0;
        }
        VoteResponse response = new VoteResponse(id, r.from(), term, grant);
        if (cfg.has(InjectedBug.FORGET_VOTE)) send(response);
        else sendAfterPersist(response);
    }

    /**
     * Whether a candidate votes in a membership we know, the latest or the committed one (hashicorp/raft
     * checks the latest only): a node removed from the cluster, that never learned it, then cannot unsettle
     * a voter who has no leader yet. The committed one counts too, for the same reason {@link #mayCampaign}
     * lets a node whose removal is uncommitted run: our latest membership may be an entry that will be
     * overwritten. A node that knows no membership (it is joining) may vote for anyone.
     */
    private boolean votesIn(String candidate) {
        return members.voters().isEmpty() || members.isVoter(candidate)
                || memberships.at(log.committed()).isVoter(candidate);
    }

    /** A message from an older term: tell a stale leader or pre-candidate about our term, ignore the rest. */
    private void answerStale(Message m) {
        if (m instanceof AppendEntries || m instanceof Heartbeat || m instanceof InstallSnapshot) {
            send(new AppendResponse(id, m.from(), term, false, 0, 0));
        } else if (m instanceof PreVoteRequest) {
            send(new PreVoteResponse(id, m.from(), term, false));
        }
    }

    // ---------------------------------------------------------------- replication, follower side

    private void handleAppend(AppendEntries a) {
        if (a.prevLogIndex() < log.committed()) {
            // everything up to our commit index already matches; say so and let the leader move on
            sendAfterPersist(new AppendResponse(id, a.from(), term, true, log.committed(), 0));
            return;
        }
        if (!log.matchTerm(a.prevLogIndex(), a.prevLogTerm())) {
            sendAfterPersist(new AppendResponse(id, a.from(), term, false, a.prevLogIndex(), rejectHint(a.prevLogIndex())));
            return;
        }
        for (Entry e : a.entries()) {
            if (log.matchTerm(e.index(), e.term())) continue;
            if (e.index() <= log.lastIndex()) {
                if (cfg.has(InjectedBug.NO_TRUNCATE)) continue;
                log.truncateFrom(e.index());
                if (memberships.truncatedFrom(e.index())) membersChanged();
            }
            appendEntry(e);
        }
        long lastNew = a.lastIndex();
        log.commitTo(Math.min(a.leaderCommit(), lastNew));
        sendAfterPersist(new AppendResponse(id, a.from(), term, true, lastNew, 0));
    }

    /** Where the leader should probe next: past our end, or at the start of the conflicting term. */
    private long rejectHint(long prevLogIndex) {
        if (prevLogIndex > log.lastIndex()) return log.lastIndex() + 1;
        return Math.max(log.firstIndexOfTermAt(prevLogIndex), log.committed() + 1);
    }

    private void handleSnapshot(InstallSnapshot s) {
        SnapshotMeta meta = s.meta();
        if (meta.index() <= log.committed()) {
            sendAfterPersist(new AppendResponse(id, s.from(), term, true, log.committed(), 0));
            return;
        }
        if (log.matchTerm(meta.index(), meta.term())) {
            // we already hold the snapshot's last entry: the snapshot teaches us only the commit index
            log.commitTo(meta.index());
        } else {
            log.restore(meta);
            memberships.restored(meta.config());
            membersChanged();
            latestSnapshot = meta;
            snapshotToInstall = meta;
        }
        sendAfterPersist(new AppendResponse(id, s.from(), term, true, meta.index(), 0));
    }

    // ---------------------------------------------------------------- membership

    /**
     * A voter campaigns; so does a node whose removal is not yet committed as far as it knows. Without the
     * second, a removal that reached the removed node but not the remaining voters deadlocks: the removed
     * node (with the longer log) will not campaign, and refuses its vote to those who would. Elected, it
     * counts votes and commits in the new membership, without itself, and steps down once that commits.
     */
    private boolean mayCampaign() {
        return members.isVoter(id) || memberships.at(log.committed()).isVoter(id);
    }

    private void appendEntry(Entry e) {
        log.append(e);
        if (memberships.appended(e)) membersChanged();
    }

    private void membersChanged() {
        members = memberships.latest();
        if (leadership != null) leadership.membersChanged();
    }

    /**
     * A leader that the committed membership no longer counts as a voter hands leadership to an
     * up-to-date voter, if it has one, and steps down; until that entry commits it leads without
     * counting itself (dissertation 4.2.2).
     */
    private void stepDownIfRemoved() {
        if (role != Role.LEADER || members.isVoter(id) || membershipChangePending()) return;
        String successor = leadership.upToDateVoter();
        if (successor != null) send(new TimeoutNow(id, successor, term));
        becomeFollower(term, null);
    }

    // ---------------------------------------------------------------- output

    void send(Message m) {
        messages.add(m);
    }

    void sendAfterPersist(Message m) {
        messagesAfterPersist.add(m);
    }

    long currentTerm() {
        return term;
    }

    @Override
    public String toString() {
        return id + "[" + role.label() + " t" + term + " last=" + log.lastIndex() + " commit=" + log.committed()
                + " applied=" + log.applied() + "]";
    }
}
