package dev.raftkv.raft.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The replicated application (hashicorp/raft's FSM). Called on one thread only, in log order.
 * Commands and queries are opaque bytes; results are whatever the application returns to its client.
 */
public interface StateMachine {
    /** Applies a committed command. Must be deterministic: every replica computes the same result. */
    Object apply(long index, byte[] command);

    /** Answers a read-only query against the current state. */
    Object query(byte[] query);

    /**
     * Writes the whole state to {@code out} (a snapshot store's file), to be restored by {@link #restore}
     * on another replica. Stream it: the state should not be copied into memory first. Do not close {@code out}.
     */
    void snapshot(OutputStream out) throws IOException;

    /** Replaces the whole state by what {@link #snapshot} wrote, reading {@code in} to its end. */
    void restore(InputStream in) throws IOException;
}
