package dev.raftkv.raft.snapshot;

import dev.raftkv.raft.SnapshotMeta;
import dev.raftkv.raft.server.Snapshot;
import dev.raftkv.raft.server.SnapshotStore;
import dev.raftkv.raft.server.SnapshotWriter;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;

/**
 * The in-memory twin of {@link FileSnapshotStore}, for the simulator and tests: a commit is durable at
 * once and survives "crashes" (the store outlives the server), and the bytes are kept in memory.
 */
public final class InMemorySnapshotStore implements SnapshotStore {
    private Snapshot latest;

    @Override
    public SnapshotWriter create(SnapshotMeta meta) {
        return new Writer(meta);
    }

    @Override
    public synchronized Snapshot latest() {
        return latest;
    }

    private synchronized void offer(Snapshot s) {
        if (latest == null || s.meta().index() > latest.meta().index()) latest = s;
    }

    private final class Writer implements SnapshotWriter {
        private final SnapshotMeta meta;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private boolean done;

        Writer(SnapshotMeta meta) {
            this.meta = meta;
        }

        @Override
        public SnapshotMeta meta() {
            return meta;
        }

        @Override
        public OutputStream out() {
            return bytes;
        }

        @Override
        public Snapshot commit() {
            if (done) throw new IllegalStateException("snapshot writer for " + meta.index() + " already finished");
            done = true;
            Snapshot s = Snapshot.ofBytes(meta, bytes.toByteArray());
            offer(s);
            return s;
        }

        @Override
        public void close() {
            done = true;
        }
    }
}
