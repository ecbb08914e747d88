package dev.raftkv.raft.server;

import dev.raftkv.raft.Entry;
import dev.raftkv.raft.HardState;
import dev.raftkv.raft.SnapshotMeta;

import java.util.List;
import java.util.function.Consumer;

/**
 * The durable log and hard state, written by a log-writer of its own (group commit), never on the
 * thread that ticks the core.
 */
public interface LogStorage {
    /** What was durable at start: hard state and the entries after {@code snapshotIndex}. */
    record Recovered(HardState hardState, List<Entry> entries) {
    }

    /**
     * One unit of work for the writer, applied in submission order.
     *
     * @param hardState         to store, or null if unchanged
     * @param installedSnapshot if not null, every entry is discarded first: the log restarts after this snapshot
     * @param entries           appended; an entry at an index the log holds replaces it and everything after it
     */
    record Batch(HardState hardState, SnapshotMeta installedSnapshot, List<Entry> entries) {
    }

    /**
     * Reads back everything durable; entries start right after {@code snapshot} (null: none). If the
     * log does not hold the snapshot's last entry with the snapshot's term (a crash came between
     * storing a snapshot from the leader and resetting the log), the log is discarded: entries after
     * it would belong to another history.
     */
    Recovered load(SnapshotMeta snapshot);

    /**
     * Queues a batch. {@code done} is called (on any thread) with null once it and every batch before it
     * are durable, or with the error that made the writer stop; after an error nothing more is written.
     */
    void write(Batch batch, Consumer<Throwable> done);

    /** Entries up to {@code index} are covered by a durable snapshot and may be deleted. */
    void compact(long index);
}
