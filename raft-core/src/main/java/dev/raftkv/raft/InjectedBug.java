package dev.raftkv.raft;

/**
 * Deliberate protocol bugs that exist only to prove the simulator's checkers can fail.
 * Never set outside tests and {@code raftkv sim --inject-bug}.
 */
public enum InjectedBug {
    /** The leader commits an entry of an earlier term by counting replicas (Raft paper, Figure 8). */
    COMMIT_PREVIOUS_TERM,
    /** A vote is never made durable: after a crash the node may vote again in the same term. */
    FORGET_VOTE,
    /** A leader answers reads from its own state without confirming its leadership (no ReadIndex). */
    STALE_READ,
    /** A follower keeps a conflicting suffix instead of truncating it. */
    NO_TRUNCATE,
    /** A leader never steps down when it loses contact with its majority. */
    NO_CHECK_QUORUM,
    /** A lease starts when the heartbeat acks arrive instead of when the heartbeats were sent. */
    LEASE_FROM_ACK,
    /** A lease lasts a whole election timeout: no margin for the tick lost at each end or for clock drift. */
    LEASE_NO_MARGIN,
    /** A leader keeps reading from its lease after it sent TimeoutNow, whose election ignores leases. */
    LEASE_AFTER_TRANSFER,
    /** A leader starts a membership change before the previous one committed (and before its own term committed). */
    TWO_CHANGES_AT_ONCE,
    /**
     * The leader slices AppendEntries by entry count only: a follower far enough behind is sent more
     * bytes than a frame carries, the transport refuses it, and the follower never catches up.
     */
    NO_BYTE_BUDGET,
    /**
     * A node that restarts with a log shorter than its durable commit hint (it lost committed entries) votes,
     * campaigns and acknowledges as if nothing happened, instead of waiting for a leader to repair it.
     */
    VOTE_AFTER_DATA_LOSS,
    /**
     * Nothing ends a connection that reaches a restarted peer's old incarnation: a leader ignores a follower
     * that campaigns while it leads it (neither probes it afresh nor asks for a new connection), and, in the
     * simulator, whose network models the transport, a new incarnation's dial does not replace the stale
     * connection to it either (NettyTransport always does). A node behind such a connection never hears its
     * peers again.
     */
    KEEP_STALE_CONNECTIONS,
    /**
     * A transaction is proposed as one log entry per operation (each with the transaction's compares), not as
     * one entry: the first changes what the compares read, so the rest fail, and a transfer moves money out of one
     * account into none ({@code dev.raftkv.kv.LogEntries}).
     */
    TXN_NOT_ATOMIC,
    /** A page of a range query leaves out its second key ({@code KvStateMachine.query}). */
    SCAN_SKIPS_KEY;

    public String flag() {
        return name().toLowerCase().replace('_', '-');
    }

    public static InjectedBug fromFlag(String flag) {
        for (InjectedBug b : values()) {
            if (b.flag().equals(flag)) return b;
        }
        throw new IllegalArgumentException("unknown bug '" + flag + "'; known: " + java.util.Arrays.toString(
                java.util.Arrays.stream(values()).map(InjectedBug::flag).toArray()));
    }
}
