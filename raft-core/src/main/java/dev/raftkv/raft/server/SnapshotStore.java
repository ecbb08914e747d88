package dev.raftkv.raft.server;

import dev.raftkv.raft.SnapshotMeta;

import java.io.IOException;

/**
 * Keeps snapshots durably (hashicorp/raft's SnapshotStore). Snapshots are written through a
 * {@link SnapshotWriter} and read back as streams, so no snapshot need fit in memory. Safe to call from
 * several threads: the apply thread writes snapshots, a transport writes received ones, the event
 * loop commits those and reads the latest to send.
 */
public interface SnapshotStore {
    /** Starts writing a snapshot described by {@code meta}; nothing is visible until the writer commits. */
    SnapshotWriter create(SnapshotMeta meta) throws IOException;

    /** The newest durable snapshot, or null. Cheap: it is called for every InstallSnapshot sent. */
    Snapshot latest();
}
