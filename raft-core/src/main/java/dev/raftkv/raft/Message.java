package dev.raftkv.raft;

import java.util.List;

/**
 * Every message the protocol exchanges. Immutable records; the wire codec (raft-transport-netty)
 * writes each one by hand. {@code term} is always the sender's term, except for a pre-vote request,
 * which carries the term the sender would campaign in.
 */
public sealed interface Message {
    String from();

    String to();

    long term();

    /** Asks whether the receiver would vote, without anyone changing term (Raft dissertation 9.6). */
    record PreVoteRequest(String from, String to, long term, long lastLogIndex, long lastLogTerm) implements Message {
    }

    record PreVoteResponse(String from, String to, long term, boolean granted) implements Message {
    }

    /** {@code transfer} marks an election started by TimeoutNow: voters then ignore their live leader. */
    record VoteRequest(String from, String to, long term, long lastLogIndex, long lastLogTerm, boolean transfer)
            implements Message {
    }

    record VoteResponse(String from, String to, long term, boolean granted) implements Message {
    }

    record AppendEntries(String from, String to, long term, long prevLogIndex, long prevLogTerm,
                         List<Entry> entries, long leaderCommit) implements Message {
        public AppendEntries {
            entries = List.copyOf(entries);
        }

        public long lastIndex() {
            return entries.isEmpty() ? prevLogIndex : entries.get(entries.size() - 1).index();
        }
    }

    /**
     * On success {@code matchIndex} is the last index the follower now holds that matches the leader.
     * On rejection, {@code matchIndex} is the previous index of the append it rejects, and {@code rejectHint}
     * is where the leader should try next (fast back-off). {@code repairId} is not 0 while the follower
     * repairs lost committed entries (see {@link Repaired}): then its acknowledgements do not count towards
     * commit. The id is drawn anew at each start, so that answers of an earlier start are told apart.
     */
    record AppendResponse(String from, String to, long term, boolean success, long matchIndex, long rejectHint,
                          long repairId) implements Message {
        public AppendResponse(String from, String to, long term, boolean success, long matchIndex, long rejectHint) {
            this(from, to, term, success, matchIndex, rejectHint, 0);
        }
    }

    /** Keeps followers quiet and, through {@code readSeq}, confirms leadership for ReadIndex. */
    record Heartbeat(String from, String to, long term, long leaderCommit, long readSeq) implements Message {
    }

    /** {@code repairId} as in {@link AppendResponse}: a repairing follower says so even when nothing is appended. */
    record HeartbeatResponse(String from, String to, long term, long readSeq, long repairId) implements Message {
        public HeartbeatResponse(String from, String to, long term, long readSeq) {
            this(from, to, term, readSeq, 0);
        }
    }

    /**
     * From the leader to a follower that repairs lost committed entries: it holds the leader's log up to
     * {@code index} (acknowledged, durably), which covers everything it can have acknowledged before it lost
     * entries, so it may vote and count again. Only the repair named by {@code repairId} ends by it.
     */
    record Repaired(String from, String to, long term, long repairId, long index) implements Message {
    }

    /** The snapshot's bytes travel beside this message (the transport streams them); the core reads only the meta. */
    record InstallSnapshot(String from, String to, long term, SnapshotMeta meta) implements Message {
    }

    /** Tells an up-to-date follower to start an election at once (leadership transfer). */
    record TimeoutNow(String from, String to, long term) implements Message {
    }
}
