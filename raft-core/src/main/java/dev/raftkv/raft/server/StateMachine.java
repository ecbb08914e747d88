package dev.raftkv.raft.server;

/**
 * The replicated application (hashicorp/raft's FSM). Called on one thread only, in log order.
 * Commands and queries are opaque bytes; results are whatever the application returns to its client.
 */
public interface StateMachine {
    /** Applies a committed command. Must be deterministic: every replica computes the same result. */
    Object apply(long index, byte[] command);

    /** Answers a read-only query against the current state. */
    Object query(byte[] query);

    /** The whole state, to be restored by {@link #restore} on another replica. */
    byte[] snapshot();

    void restore(byte[] snapshot);
}
