package dev.raftkv.kv;

import dev.raftkv.kv.store.MemoryKvStore;
import dev.raftkv.raft.ClusterConfig;
import dev.raftkv.raft.SnapshotMeta;
import dev.raftkv.raft.server.Snapshot;
import dev.raftkv.raft.server.SnapshotWriter;
import dev.raftkv.raft.snapshot.FileSnapshotStore;
import dev.raftkv.raft.snapshot.InMemorySnapshotStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The memory store's snapshot format: streamed out and in, versioned, and refused when cut short or padded. */
class KvSnapshotTest {
    private static final SnapshotMeta META = new SnapshotMeta(200_000, 3, ClusterConfig.ofVoters("n1", "n2", "n3"));

    @TempDir
    Path dir;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String get(KvStateMachine m, String key) {
        byte[] v = ((KvResult.Value) m.query(KvCodec.encodeGet(key))).value();
        return v == null ? null : new String(v, StandardCharsets.UTF_8);
    }

    private static void apply(KvStateMachine m, long index, KvCommand c) {
        m.apply(index, KvCodec.encode(c));
        m.endBatch(index);
    }

    private static byte[] snapshotBytes(KvStateMachine m) throws IOException {
        InMemorySnapshotStore store = new InMemorySnapshotStore();
        try (SnapshotWriter w = store.create(META)) {
            m.snapshot(w);
            try (InputStream in = w.commit().open(Snapshot.DATA)) {
                return in.readAllBytes();
            }
        }
    }

    private static void restore(KvStateMachine m, byte[] bytes) throws IOException {
        m.restore(Snapshot.ofBytes(META, bytes));
    }

    @Test
    void aSnapshotRestoresDataRevisionsAndSessions() throws IOException {
        KvStateMachine m = new KvStateMachine();
        apply(m, 1, new KvCommand.Put("c", 1, "k1", b("v1")));
        apply(m, 2, new KvCommand.Put("c", 2, "k2", b("")));
        apply(m, 3, new KvCommand.Put("d", 1, "k1", b("v1 again")));
        KvStateMachine copy = new KvStateMachine();
        apply(copy, 1, new KvCommand.Put("x", 1, "stale", b("gone after restore")));
        restore(copy, snapshotBytes(m));
        assertThat(get(copy, "k1")).isEqualTo("v1 again");
        assertThat(get(copy, "k2")).isEmpty();
        assertThat(get(copy, "stale")).isNull();
        assertThat(copy.store().get(b("k1"))).usingRecursiveComparison().isEqualTo(m.store().get(b("k1")));
        assertThat(copy.store().meta()).isEqualTo(m.store().meta());
        // the session came along: a retry of seq 2 is answered, not applied again
        assertThat(copy.apply(4, KvCodec.encode(new KvCommand.Put("c", 2, "k2", b("again"))))).isEqualTo(new KvResult.Written(2));
        copy.endBatch(4);
        assertThat(get(copy, "k2")).isEmpty();
    }

    @Test
    void twoHundredThousandKeysRoundTripThroughTheFileStore() throws IOException {
        KvStateMachine m = new KvStateMachine();
        int keys = 200_000;
        for (int i = 0; i < keys; i++) {
            m.apply(i + 1, KvCodec.encode(new KvCommand.Put("client-" + (i % 97), i + 1, "key-" + i, b("value-" + i))));
            if (i % 100 == 99) m.endBatch(i + 1);
        }
        m.endBatch(keys);
        FileSnapshotStore store = FileSnapshotStore.open(dir);
        try (SnapshotWriter w = store.create(META)) {
            m.snapshot(w);
            w.commit();
        }

        Snapshot stored = FileSnapshotStore.open(dir).latest(); // reopened: read back and checksum-verified from disk
        assertThat(stored.meta()).isEqualTo(META);
        KvStateMachine restored = new KvStateMachine();
        restored.restore(stored);
        assertThat(((MemoryKvStore) restored.store()).size()).isEqualTo(keys);
        for (int i = 0; i < keys; i += 997) assertThat(get(restored, "key-" + i)).isEqualTo("value-" + i);
        assertThat(get(restored, "key-" + (keys - 1))).isEqualTo("value-" + (keys - 1));
        // replicas write identical bytes for identical state, so a snapshot's checksum means the same everywhere
        KvStateMachine again = new KvStateMachine();
        again.restore(stored);
        assertThat(snapshotBytes(again)).isEqualTo(snapshotBytes(m));
    }

    @Test
    void aTruncatedSnapshotIsRefused() throws IOException {
        KvStateMachine m = new KvStateMachine();
        for (int i = 0; i < 100; i++) apply(m, i + 1, new KvCommand.Put("c", i + 1, "k" + i, b("v" + i)));
        byte[] whole = snapshotBytes(m);
        byte[] cut = Arrays.copyOf(whole, whole.length / 2);
        assertThatThrownBy(() -> restore(new KvStateMachine(), cut))
                .isInstanceOf(IOException.class).hasMessageContaining("ends early");
    }

    @Test
    void bytesAfterTheEndAreRefused() throws IOException {
        byte[] whole = snapshotBytes(new KvStateMachine());
        byte[] padded = Arrays.copyOf(whole, whole.length + 1);
        assertThatThrownBy(() -> restore(new KvStateMachine(), padded))
                .isInstanceOf(IOException.class).hasMessageContaining("after its end");
    }

    @Test
    void anUnknownFormatVersionOrForeignBytesAreRefused() throws IOException {
        byte[] future = snapshotBytes(new KvStateMachine());
        future[7] = 3; // the version, after the four magic bytes
        assertThatThrownBy(() -> restore(new KvStateMachine(), future))
                .isInstanceOf(IOException.class).hasMessageContaining("format 3 is not supported");
        byte[] first = snapshotBytes(new KvStateMachine());
        first[7] = 1;
        assertThatThrownBy(() -> restore(new KvStateMachine(), first))
                .isInstanceOf(IOException.class).hasMessageContaining("format 1 is not supported");
        assertThatThrownBy(() -> restore(new KvStateMachine(), b("not a snapshot at all")))
                .isInstanceOf(IOException.class).hasMessageContaining("not a key-value snapshot");
        assertThatThrownBy(() -> new KvStateMachine().restore(Snapshot.ofFiles(META, java.util.Map.of("CURRENT", b("x")))))
                .isInstanceOf(IOException.class).hasMessageContaining("every member of a cluster must run the same --store");
    }

    @Test
    void keysAndIdsPastSixtyFourKilobytesSurviveASnapshot() throws IOException {
        String long64k = "\uD83D\uDE00".repeat(17_000); // 68,000 bytes, which writeUTF could not write
        KvStateMachine m = new KvStateMachine();
        apply(m, 1, new KvCommand.Put(long64k, 1, long64k, b("v")));
        KvStateMachine copy = new KvStateMachine();
        restore(copy, snapshotBytes(m));
        assertThat(get(copy, long64k)).isEqualTo("v");
        assertThat(copy.store().session(long64k)).isNotNull();
    }
}
