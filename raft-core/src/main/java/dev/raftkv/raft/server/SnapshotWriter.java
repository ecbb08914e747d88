package dev.raftkv.raft.server;

import dev.raftkv.raft.SnapshotMeta;

import java.io.IOException;
import java.io.OutputStream;

/**
 * A snapshot being written (hashicorp/raft's SnapshotSink): the state machine, or a transport receiving
 * one from the leader, writes the bytes to {@link #out()}; {@link #commit()} makes them durable and
 * visible; {@link #close()} without a commit throws them away. Used by one thread at a time, though
 * not necessarily the one that created it (a transport fills it, the event loop commits it).
 */
public interface SnapshotWriter extends AutoCloseable {
    SnapshotMeta meta();

    /** Where the bytes go. Closing this stream does not end the snapshot; {@link #commit} does. */
    OutputStream out();

    /**
     * Makes what was written durable and, unless the store holds a newer snapshot, its latest. The
     * returned snapshot can be opened at once; a store may delete it later, once newer ones exist.
     */
    Snapshot commit() throws IOException;

    /** Discards what was written, unless it was committed; safe to call more than once. */
    @Override
    void close();
}
