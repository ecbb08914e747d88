package dev.raftkv.transport;

import dev.raftkv.raft.ClusterConfig;
import dev.raftkv.raft.ClusterConfigCodec;
import dev.raftkv.raft.Entry;
import dev.raftkv.raft.EntryType;
import dev.raftkv.raft.Message;

/**
 * What every well-formed message from a correct peer satisfies and the core takes for granted: checked
 * where messages enter the node, so that a broken or hostile peer costs its own connection, never the
 * node (the core throws on an AppendEntries with gaps, and a CONFIG entry it cannot decode would stop
 * the event loop). These are the checks that need nothing but the message; a peer that proved the
 * cookie is still trusted to tell the truth about its log (Raft does not tolerate Byzantine members).
 */
final class MessageInvariants {
    private MessageInvariants() {
    }

    /** @throws MalformedFrameException naming the broken invariant */
    static void check(Message m) throws MalformedFrameException {
        if (m.term() < 0) throw broken(m, "negative term " + m.term());
        if (m instanceof Message.AppendEntries a) {
            checkAppend(a);
        } else if (m instanceof Message.AppendResponse r) {
            if (r.matchIndex() < 0 || r.rejectHint() < 0) {
                throw broken(m, "negative index (match " + r.matchIndex() + ", hint " + r.rejectHint() + ")");
            }
        } else if (m instanceof Message.Heartbeat h) {
            if (h.leaderCommit() < 0) throw broken(m, "negative commit index " + h.leaderCommit());
        } else if (m instanceof Message.PreVoteRequest v) {
            if (v.lastLogIndex() < 0 || v.lastLogTerm() < 0) throw broken(m, "negative last log index or term");
        } else if (m instanceof Message.VoteRequest v) {
            if (v.lastLogIndex() < 0 || v.lastLogTerm() < 0) throw broken(m, "negative last log index or term");
        }
    }

    /**
     * Entries follow prevLogIndex without gaps, their terms never go down, start no lower than prevLogTerm and
     * end no higher than the leader's term, and every CONFIG entry decodes to a membership with voters.
     */
    private static void checkAppend(Message.AppendEntries a) throws MalformedFrameException {
        if (a.prevLogIndex() < 0 || a.prevLogTerm() < 0 || a.leaderCommit() < 0) {
            throw broken(a, "negative prevLogIndex, prevLogTerm or leaderCommit");
        }
        long expectIndex = a.prevLogIndex() + 1;
        long lastTerm = a.prevLogTerm();
        for (Entry e : a.entries()) {
            if (e.index() != expectIndex) {
                throw broken(a, "entry index " + e.index() + " where " + expectIndex + " belongs (gap or disorder)");
            }
            if (e.term() < lastTerm) throw broken(a, "entry " + e.index() + " has term " + e.term() + " after term " + lastTerm);
            if (e.term() > a.term()) throw broken(a, "entry " + e.index() + " has term " + e.term() + " above the leader's " + a.term());
            if (e.type() == EntryType.CONFIG) checkConfig(a, e);
            expectIndex++;
            lastTerm = e.term();
        }
    }

    private static void checkConfig(Message.AppendEntries a, Entry e) throws MalformedFrameException {
        ClusterConfig config;
        try {
            config = ClusterConfigCodec.decode(e.data());
        } catch (IllegalArgumentException bad) {
            throw broken(a, "membership entry " + e.index() + " does not decode: " + bad.getMessage());
        }
        if (config.voters().isEmpty()) throw broken(a, "membership entry " + e.index() + " has no voters");
    }

    private static MalformedFrameException broken(Message m, String why) {
        return new MalformedFrameException(m.getClass().getSimpleName() + " from " + m.from() + " breaks an invariant: " + why);
    }
}
