package dev.raftkv.raft;

/**
 * Everything a {@link Leadership} may read of its node and do to it, in one place: the leader's state is its own,
 * and this is its only way out. {@link RaftNode} provides it; nothing here lets a leader change the term, the
 * vote, the log's contents or the membership, which stay the node's decisions.
 */
interface LeaderPowers {
    String id();

    RaftConfig config();

    /** The node's tick count: the leader's clock for heartbeats, check-quorum, stalls and leases. */
    long now();

    /** The latest membership (it takes effect when appended, not when committed). */
    ClusterConfig members();

    /** The node's log: a leader reads it, advances its commit index, and never writes entries into it. */
    RaftLog log();

    /** What a follower behind the log's start is sent. */
    SnapshotMeta latestSnapshot();

    /** Out in the next Ready, before its entries are durable. */
    void send(Message m);

    /** Out only once what the next Ready persists is durable. */
    void sendAfterPersist(Message m);

    /** A read's index is decided ({@code -1}: refused). */
    void answerRead(ReadState read);

    void report(RaftEvent event);

    /** Cut off from a majority: become a follower of this term with no leader known. */
    void resign();
}
