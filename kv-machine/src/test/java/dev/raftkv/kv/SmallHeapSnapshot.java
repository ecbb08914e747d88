package dev.raftkv.kv;

import dev.raftkv.raft.ClusterConfig;
import dev.raftkv.raft.SnapshotMeta;
import dev.raftkv.raft.server.Snapshot;
import dev.raftkv.raft.server.SnapshotWriter;
import dev.raftkv.raft.snapshot.FileSnapshotStore;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Run in a JVM of its own with a small heap by {@link SnapshotMemoryTest}: fills a key-value machine
 * with {@code MiB} MiB of values, snapshots it into a file store, drops it, and restores it from the
 * file. With {@code stream} the snapshot goes straight to the file; with {@code copy} it is first
 * collected in a byte array (what the store did before snapshots were streamed), which is the control:
 * the heap must be too small for that.
 *
 * <p>Arguments: {@code stream|copy DIR MiB}. Prints {@code restored N keys} and exits 0 on success.
 */
public final class SmallHeapSnapshot {
    static final int VALUE_BYTES = 16 * 1024;

    private SmallHeapSnapshot() {
    }

    public static void main(String[] args) throws Exception {
        boolean copy = args[0].equals("copy");
        Path dir = Path.of(args[1]);
        int keys = Integer.parseInt(args[2]) * 1024 * 1024 / VALUE_BYTES;
        SnapshotMeta meta = new SnapshotMeta(keys, 1, ClusterConfig.ofVoters("n1"));
        FileSnapshotStore store = FileSnapshotStore.open(dir);

        KvStateMachine machine = new KvStateMachine();
        for (int i = 0; i < keys; i++) {
            byte[] value = new byte[VALUE_BYTES];
            Arrays.fill(value, (byte) i);
            machine.apply(i + 1, KvCodec.encode(new KvCommand.Put("c", i + 1, "key-" + i, value)));
            machine.endBatch(i + 1);
        }
        try (SnapshotWriter w = store.create(meta)) {
            if (copy) {
                dev.raftkv.raft.snapshot.InMemorySnapshotStore whole = new dev.raftkv.raft.snapshot.InMemorySnapshotStore();
                try (SnapshotWriter inMemory = whole.create(meta)) {
                    machine.snapshot(inMemory);
                    inMemory.commit().copyTo(w);
                }
            } else {
                machine.snapshot(w);
            }
            w.commit();
        }
        machine = null; // what a follower installing a snapshot does: the old state goes first

        Snapshot stored = FileSnapshotStore.open(dir).latest();
        KvStateMachine restored = new KvStateMachine();
        if (copy) {
            try (InputStream in = stored.open(Snapshot.DATA)) {
                restored.restore(Snapshot.ofBytes(stored.meta(), in.readAllBytes()));
            }
        } else {
            restored.restore(stored);
        }
        byte[] last = ((KvResult.Value) restored.query(KvCodec.encodeGet("key-" + (keys - 1)))).value();
        int size = ((dev.raftkv.kv.store.MemoryKvStore) restored.store()).size();
        if (size != keys || last.length != VALUE_BYTES || last[0] != (byte) (keys - 1)) {
            throw new AssertionError("restored state differs");
        }
        System.out.println("restored " + size + " keys, snapshot " + stored.size() + " bytes, max heap "
                + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MiB");
    }
}
