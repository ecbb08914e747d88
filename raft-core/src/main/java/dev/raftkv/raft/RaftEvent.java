package dev.raftkv.raft;

/**
 * Something the core noticed that an operator must hear about. The core does no I/O, so it hands these to
 * the driver in {@link Ready#events()}, which logs them; they change nothing by themselves, except that
 * {@link FollowerNotHearingUs} also asks the driver to open a new connection to that follower.
 */
public sealed interface RaftEvent {
    /**
     * This node started with a log that ends at {@code logEnd}, before {@code commitHint}, a commit index it
     * had made durable: it lost committed entries it may have acknowledged (a disk that lied about fsync, a
     * restored backup, a cut file). Until a leader confirms it holds them again it grants no votes, does not
     * campaign, and its acknowledgements do not count towards commit.
     */
    record LostCommittedEntries(String node, long logEnd, long commitHint) implements RaftEvent {
    }

    /** This node restarted in the middle of a repair (see {@link LostCommittedEntries}); the repair goes on. */
    record StillRepairing(String node, long logEnd) implements RaftEvent {
    }

    /**
     * A leader learned that {@code follower}'s log matches its own only up to {@code logEnd}, below the
     * {@code acknowledged} index the follower had acknowledged: the follower lost entries. The leader forgets
     * what it believed and replicates to it again from there.
     */
    record FollowerLostEntries(String leader, String follower, long acknowledged, long logEnd) implements RaftEvent {
    }

    /**
     * {@code follower} said it lost committed entries: its acknowledgements do not count towards commit, and it
     * may not vote, until it holds the leader's log up to {@code target} (everything it can have acknowledged).
     */
    record FollowerRepairing(String leader, String follower, long target) implements RaftEvent {
    }

    /** {@code leader} confirmed that this node holds its log up to {@code index} again: it votes and counts again. */
    record Repaired(String node, String leader, long index) implements RaftEvent {
    }

    /**
     * This node lost committed entries and is its cluster's only voter: no one holds them to repair it from,
     * so they are gone; it leads on with what it has.
     */
    record LostForGood(String node, long logEnd, long commitHint) implements RaftEvent {
    }

    /**
     * {@code follower}, a member this leader replicates to, asks for pre-votes: it has not heard this leader for
     * an election timeout although the leader heard it, so what the leader sends does not reach it (a connection
     * to an old incarnation of that node that never closed, a one-way network fault). The leader probes it
     * afresh, and the driver drops its connection to it and dials again. At most once per election timeout.
     */
    record FollowerNotHearingUs(String leader, String follower) implements RaftEvent {
    }
}
