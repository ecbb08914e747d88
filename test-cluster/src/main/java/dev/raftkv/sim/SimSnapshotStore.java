package dev.raftkv.sim;

import dev.raftkv.raft.server.Snapshot;
import dev.raftkv.raft.server.SnapshotStore;

/** The in-memory twin of the snapshot store: a save is durable at once and survives crashes. */
final class SimSnapshotStore implements SnapshotStore {
    private Snapshot latest;

    @Override
    public void save(Snapshot snapshot) {
        if (latest == null || snapshot.meta().index() > latest.meta().index()) latest = snapshot;
    }

    @Override
    public Snapshot latest() {
        return latest;
    }
}
