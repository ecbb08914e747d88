package dev.raftkv.raft.server;

import dev.raftkv.raft.SnapshotMeta;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;

/**
 * A snapshot being written (hashicorp/raft's SnapshotSink): the state machine, or a transport receiving
 * one from the leader, writes its files one after another; {@link #commit()} makes them durable and
 * visible; {@link #close()} without a commit throws them away. Used by one thread at a time, though
 * not necessarily the one that created it (a transport fills it, the event loop commits it).
 */
public interface SnapshotWriter extends AutoCloseable {
    SnapshotMeta meta();

    /**
     * Starts the next file of the snapshot (the one before it is finished: its stream must not be used
     * again). Closing the returned stream does not end the file nor the snapshot.
     *
     * @throws IllegalArgumentException if the name is not a plain file name ({@link SnapshotFile#checkName}) or is taken
     */
    OutputStream newFile(String name) throws IOException;

    /**
     * Adds {@code source}, a file that will never change again (a RocksDB table file), as the next file: a
     * hard link where the store keeps files on the same disk, so nothing is copied nor read; a copy otherwise.
     * Its CRC32C is not computed ({@link SnapshotFile#NO_CRC}): its own format must check it.
     */
    void linkFile(String name, Path source) throws IOException;

    /**
     * Makes what was written durable and, unless the store holds a newer snapshot, its latest. The
     * returned snapshot can be opened at once; a store may delete it later, once newer ones exist.
     */
    Snapshot commit() throws IOException;

    /** Discards what was written, unless it was committed; safe to call more than once. */
    @Override
    void close();
}
