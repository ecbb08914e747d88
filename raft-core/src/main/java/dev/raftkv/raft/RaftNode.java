package dev.raftkv.raft;

import dev.raftkv.raft.Message.AppendEntries;
import dev.raftkv.raft.Message.AppendResponse;
import dev.raftkv.raft.Message.Heartbeat;
import dev.raftkv.raft.Message.HeartbeatResponse;
import dev.raftkv.raft.Message.InstallSnapshot;
import dev.raftkv.raft.Message.PreVoteRequest;
import dev.raftkv.raft.Message.PreVoteResponse;
import dev.raftkv.raft.Message.Repaired;
import dev.raftkv.raft.Message.TimeoutNow;
import dev.raftkv.raft.Message.VoteRequest;
import dev.raftkv.raft.Message.VoteResponse;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

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
    /** The tick at which each peer was last heard from, by any message: who is reachable, when no leader is known. */
    private final Map<String, Long> heardAt = new HashMap<>();

    /** Present only while this node leads. */
    Leadership leadership;
    private final LeaderPowers leaderPowers = new NodeLeaderPowers(this);

    private SnapshotMeta latestSnapshot;
    private SnapshotMeta snapshotToInstall;
    private HardState lastHardState;
    /** The tick at which the hard state was last handed over; the commit hint is refreshed once per election timeout. */
    private long hardStateHandedAt;

    /**
     * Not 0 while this node repairs lost committed entries (see {@link #repairing()}). Drawn anew at each
     * start, and sent with every answer, so that a leader tells this start's answers from an earlier one's.
     */
    private long repairId;

    final List<Message> messages = new ArrayList<>();
    final List<Message> messagesAfterPersist = new ArrayList<>();
    final List<ReadState> reads = new ArrayList<>();
    final List<RaftEvent> events = new ArrayList<>();

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
        noticeLostEntries(hardState);
    }

    /**
     * A log that ends before the commit hint this node made durable lost committed entries: the log writer
     * syncs entries before the hard state, so an honest disk never shows this (a torn tail is only ever
     * entries beyond every hint). The disk lied about fsync, or a backup or an operator put an older log back.
     * Such a node may have acknowledged entries it no longer holds, and some may be committed because it did:
     * if it voted now, a candidate lacking them could win with its vote (Protocol-Aware Recovery, FAST'18). So
     * it repairs first: no votes, no campaign, acknowledgements flagged so that a leader does not count them,
     * until the leader confirms it holds everything it can have acknowledged ({@link #handleRepaired}).
     */
    private void noticeLostEntries(HardState hardState) {
        boolean lost = hardState.commit() > log.lastIndex();
        if (lost) events.add(new RaftEvent.LostCommittedEntries(id, log.lastIndex(), hardState.commit()));
        else if (hardState.repairing()) events.add(new RaftEvent.StillRepairing(id, log.lastIndex()));
        if ((lost || hardState.repairing()) && !cfg.has(InjectedBug.VOTE_AFTER_DATA_LOSS)) {
            long drawn = random.nextLong();
            repairId = drawn != 0 ? drawn : 1;
        }
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
        heardAt.put(m.from(), now);
        if (m.term() > term) {
            if (m instanceof PreVoteRequest || m instanceof VoteRequest) {
                boolean transfer = m instanceof VoteRequest v && v.transfer();
                if (!transfer && role == Role.LEADER) leadership.followerCampaigns(m.from());
                if (!transfer && hasLiveLeader()) return; // leader stickiness: a live leader outranks a disruptive node
            }
            if (m instanceof PreVoteRequest) {
                // a pre-vote never changes anyone's term
            } else if (m instanceof PreVoteResponse r && r.granted()) {
                // granted pre-votes echo the term we would campaign in
            } else if (m instanceof AppendEntries || m instanceof Heartbeat || m instanceof InstallSnapshot
                    || m instanceof Repaired) {
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
            sendAfterPersist(new HeartbeatResponse(id, h.from(), term, h.readSeq(), repairId));
        } else if (m instanceof InstallSnapshot s) {
            followLeader(s.from());
            handleSnapshot(s);
        } else if (m instanceof Repaired r) {
            followLeader(r.from());
            handleRepaired(r);
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
        if (role != Role.LEADER) return notLeader();
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
        if (role != Role.LEADER) return notLeader();
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
        } catch (UnknownMemberException e) {
            return new ProposeResult.UnknownMember(e.id());
        } catch (IllegalArgumentException e) {
            return new ProposeResult.Invalid(e.getMessage());
        }
        if (change instanceof ConfigChange.Promote p) {
            String lag = leadership.lagOf(p.id(), p.maxLagEntries());
            if (lag != null) return new ProposeResult.LearnerBehind(lag, id);
        }
        String stranded = strandedByRepair(next);
        if (stranded != null) return new ProposeResult.Rejected(stranded, id);
        Entry e = Entry.config(term, log.lastIndex() + 1, next);
        appendEntry(e);
        leadership.entriesAppended();
        return new ProposeResult.Accepted(e.index(), e.term());
    }

    /**
     * A change of voters after which the voters that are not repairing lost entries could not form a majority:
     * a repairing voter grants no votes, so if this leader fell the cluster could elect no one. Refused while
     * such a voter repairs; a change that leaves the voters as they are (a learner added) is fine.
     */
    private String strandedByRepair(ClusterConfig next) {
        Set<String> repairing = leadership.repairingFollowers();
        if (repairing.isEmpty() || next.voters().equals(members.voters())) return null;
        Set<String> healthy = new java.util.HashSet<>(next.voters());
        healthy.removeAll(repairing);
        if (Quorum.isQuorum(next.voters(), healthy)) return null;
        return "the voters after that change could not elect a leader without " + String.join(", ", repairing)
                + ", which repair entries they lost and may not vote yet; retry once they are repaired";
    }

    /** Why a node that does not lead refuses: it names the leader it knows, or says how many voters it can hear. */
    private ProposeResult notLeader() {
        if (leader != null) return new ProposeResult.Rejected("not the leader", leader);
        return new ProposeResult.NoLeader(reachableVoters(), members.voters().size());
    }

    /**
     * Voters heard from within the last two election timeouts, this node included if it votes. Two: a node
     * without a leader asks for pre-votes once per randomized timeout, which is up to two timeouts long.
     */
    public int reachableVoters() {
        int n = 0;
        for (String v : members.voters()) {
            Long heard = heardAt.get(v);
            if (v.equals(id) || (heard != null && now - heard < 2L * cfg.electionTicks())) n++;
        }
        return n;
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
        if (leadership.isRepairing(target)) return target + " is repairing entries it lost and may not campaign yet";
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
        boolean changed = term != lastHardState.term() || !java.util.Objects.equals(durableVote, lastHardState.votedFor())
                || repairing() != lastHardState.repairing();
        // the commit hint is what lets a restart notice lost entries, so it may not lag far; but each write
        // costs two fsyncs, so it is refreshed at most once per election timeout
        boolean hintBehind = log.committed() > lastHardState.commit() && now - hardStateHandedAt >= cfg.electionTicks();
        if (changed || hintBehind) {
            // never lowered: a node that lost entries keeps the hint that proves it, until it is repaired
            hs = new HardState(term, durableVote, Math.max(log.committed(), lastHardState.commit()), repairing());
            lastHardState = hs;
            hardStateHandedAt = now;
        }
        SnapshotMeta snap = snapshotToInstall;
        snapshotToInstall = null;
        Ready r = new Ready(hs, log.takeUnhanded(), List.copyOf(messages), List.copyOf(messagesAfterPersist),
                log.takeCommittedToApply(), snap, List.copyOf(reads), List.copyOf(events));
        messages.clear();
        messagesAfterPersist.clear();
        reads.clear();
        events.clear();
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

    /**
     * True while this node repairs committed entries it lost: it grants no votes and no pre-votes, does not
     * campaign, and tells the leader, which does not count its acknowledgements towards commit.
     */
    public boolean repairing() {
        return repairId != 0;
    }

    /** On a leader, the followers that repair lost committed entries (their acks do not count); empty elsewhere. */
    public java.util.Set<String> repairingFollowers() {
        return leadership == null ? java.util.Set.of() : leadership.repairingFollowers();
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

    /** The bytes of the log entries this node holds in memory (since its latest snapshot): snapshots bound it. */
    public long logBytes() {
        return log.bytes();
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
        if (repairing()) {
            // only a sole voter campaigns while repairing (mayCampaign): nobody holds what it lost
            events.add(new RaftEvent.LostForGood(id, log.lastIndex(), lastHardState.commit()));
            repairId = 0;
        }
        role = Role.LEADER;
        leader = id;
        leadership = new Leadership(leaderPowers, term);
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
        boolean grant = r.term() > term && log.isUpToDate(r.lastLogIndex(), r.lastLogTerm())
                && votesIn(r.from(), r.lastLogIndex(), r.lastLogTerm())
                && !repairing();
        send(new PreVoteResponse(id, r.from(), grant ? r.term() : term, grant));
    }

    private void handleVote(VoteRequest r) {
        boolean canVote = r.from().equals(votedFor) || (votedFor == null && leader == null);
        // a node that lost committed entries must not help elect a leader that lacks them (see noticeLostEntries)
        boolean grant = canVote && log.isUpToDate(r.lastLogIndex(), r.lastLogTerm())
                && votesIn(r.from(), r.lastLogIndex(), r.lastLogTerm()) && !repairing();
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
     *
     * <p>And a candidate whose log is strictly ahead of ours may be a voter of a membership we have not
     * received yet: refusing it could leave no one electable (we lag with {n1, n2}, the others hold {n1, n3}
     * uncommitted, and n3, the most up to date, needs our vote). Found by the simulator. A removed node that
     * never learned of its removal is not ahead of the nodes that hold the removal, so it still cannot win
     * them over; Raft's dissertation (§4.2.3) votes regardless of membership altogether.
     */
    private boolean votesIn(String candidate, long candidateLastIndex, long candidateLastTerm) {
        boolean ahead = candidateLastTerm > log.lastTerm()
                || (candidateLastTerm == log.lastTerm() && candidateLastIndex > log.lastIndex());
        return members.voters().isEmpty() || members.isVoter(candidate)
                || memberships.at(log.committed()).isVoter(candidate) || ahead;
    }

    /** A message from an older term: tell a stale leader or pre-candidate about our term, ignore the rest. */
    private void answerStale(Message m) {
        if (m instanceof AppendEntries || m instanceof Heartbeat || m instanceof InstallSnapshot) {
            send(appendResponse(m.from(), false, 0, 0));
        } else if (m instanceof PreVoteRequest) {
            send(new PreVoteResponse(id, m.from(), term, false));
        }
    }

    // ---------------------------------------------------------------- replication, follower side

    private void handleAppend(AppendEntries a) {
        if (a.prevLogIndex() < log.committed()) {
            // everything up to our commit index already matches; say so and let the leader move on
            sendAfterPersist(appendResponse(a.from(), true, log.committed(), 0));
            return;
        }
        if (!log.matchTerm(a.prevLogIndex(), a.prevLogTerm())) {
            sendAfterPersist(appendResponse(a.from(), false, a.prevLogIndex(), rejectHint(a.prevLogIndex())));
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
        sendAfterPersist(appendResponse(a.from(), true, lastNew, 0));
    }

    /** Where the leader should probe next: past our end, or at the start of the conflicting term. */
    private long rejectHint(long prevLogIndex) {
        if (prevLogIndex > log.lastIndex()) return log.lastIndex() + 1;
        return Math.max(log.firstIndexOfTermAt(prevLogIndex), log.committed() + 1);
    }

    private void handleSnapshot(InstallSnapshot s) {
        SnapshotMeta meta = s.meta();
        if (meta.index() <= log.committed()) {
            sendAfterPersist(appendResponse(s.from(), true, log.committed(), 0));
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
        sendAfterPersist(appendResponse(s.from(), true, meta.index(), 0));
    }

    /** Every answer to the leader says whether this node is repairing, so that its acks are not counted. */
    private AppendResponse appendResponse(String to, boolean success, long matchIndex, long rejectHint) {
        return new AppendResponse(id, to, term, success, matchIndex, rejectHint, repairId);
    }

    /**
     * The leader holds everything this node can have acknowledged before it lost entries (its whole log when
     * it learned of the loss: committed entries are all in it), and this node acknowledged, durably, holding
     * that log up to {@code index}: nothing it helped commit is missing any more, so it votes again. A
     * Repaired for another repair (an earlier start's, delayed in the network) is ignored.
     */
    private void handleRepaired(Repaired r) {
        if (!repairing() || r.repairId() != repairId || r.index() > log.lastIndex()) return;
        repairId = 0;
        events.add(new RaftEvent.Repaired(id, r.from(), r.index()));
    }

    // ---------------------------------------------------------------- membership

    /**
     * A voter campaigns; so does a node whose removal is not yet committed as far as it knows. Without the
     * second, a removal that reached the removed node but not the remaining voters deadlocks: the removed
     * node (with the longer log) will not campaign, and refuses its vote to those who would. Elected, it
     * counts votes and commits in the new membership, without itself, and steps down once that commits.
     */
    private boolean mayCampaign() {
        if (repairing() && !members.voters().equals(java.util.Set.of(id))) return false; // a vote for itself is a vote
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

    @Override
    public String toString() {
        return id + "[" + role.label() + " t" + term + " last=" + log.lastIndex() + " commit=" + log.committed()
                + " applied=" + log.applied() + "]";
    }
}
