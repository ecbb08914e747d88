package dev.raftkv.raft.snapshot;

import dev.raftkv.raft.SnapshotMeta;
import dev.raftkv.raft.server.Snapshot;
import dev.raftkv.raft.server.SnapshotFile;
import dev.raftkv.raft.server.SnapshotStore;
import dev.raftkv.raft.server.SnapshotWriter;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

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
        private final Map<String, ByteArrayOutputStream> files = new LinkedHashMap<>();
        private boolean done;

        Writer(SnapshotMeta meta) {
            this.meta = meta;
        }

        @Override
        public SnapshotMeta meta() {
            return meta;
        }

        @Override
        public OutputStream newFile(String name) {
            SnapshotFile.checkName(name);
            if (files.containsKey(name)) throw new IllegalArgumentException("snapshot file " + name + " written twice");
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            files.put(name, out);
            return out;
        }

        /** Nothing to link to in memory: the file is copied. */
        @Override
        public void linkFile(String name, Path source) throws IOException {
            newFile(name).write(Files.readAllBytes(source));
        }

        @Override
        public Snapshot commit() {
            if (done) throw new IllegalStateException("snapshot writer for " + meta.index() + " already finished");
            done = true;
            Map<String, byte[]> bytes = new LinkedHashMap<>();
            files.forEach((name, out) -> bytes.put(name, out.toByteArray()));
            Snapshot s = Snapshot.ofFiles(meta, bytes);
            offer(s);
            return s;
        }

        @Override
        public void close() {
            done = true;
        }
    }
}
