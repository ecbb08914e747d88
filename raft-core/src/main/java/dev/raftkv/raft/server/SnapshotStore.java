package dev.raftkv.raft.server;

/** Keeps snapshots durably (hashicorp/raft's SnapshotStore). {@link #save} returns once the snapshot is durable. */
public interface SnapshotStore {
    void save(Snapshot snapshot);

    /** The newest durable snapshot, or null. */
    Snapshot latest();
}
