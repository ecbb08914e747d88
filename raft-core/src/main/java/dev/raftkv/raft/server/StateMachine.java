package dev.raftkv.raft.server;

import java.io.IOException;

/**
 * The replicated application (hashicorp/raft's FSM). Called on one thread only, in log order.
 * Commands and queries are opaque bytes; results are whatever the application returns to its client.
 */
public interface StateMachine {
    /** Applies a committed command. Must be deterministic: every replica computes the same result. */
    Object apply(long index, byte[] command);

    /**
     * Ends a batch: every entry up to {@code lastIndex} (commands, and the no-op and membership entries
     * that were not handed to {@link #apply}) is applied. A machine on its own disk writes what the batch
     * changed together with {@code lastIndex}, atomically; an in-memory one need do nothing.
     */
    default void endBatch(long lastIndex) {
    }

    /**
     * The index of the last entry the machine's own storage holds when the server starts: 0 for a machine
     * that starts empty (held in memory). A machine that holds at least the latest snapshot's index is not
     * restored from it; the log after the snapshot is handed to it again, and it must skip the entries it
     * already holds (index at most this).
     */
    default long durableIndex() {
        return 0;
    }

    /** Answers a read-only query against the current state. */
    Object query(byte[] query);

    /**
     * Writes the whole state into {@code writer} (a snapshot store's files), to be restored by
     * {@link #restore} on another replica. Stream it, or hard-link files that never change: the state
     * should not be copied into memory first. Do not commit or close the writer.
     */
    void snapshot(SnapshotWriter writer) throws IOException;

    /** Replaces the whole state by what {@link #snapshot} wrote. */
    void restore(Snapshot snapshot) throws IOException;
}
