package dev.raftkv.kv;

import dev.raftkv.raft.ClusterConfig;
import dev.raftkv.raft.SnapshotMeta;
import dev.raftkv.raft.server.Snapshot;
import dev.raftkv.raft.server.SnapshotWriter;
import dev.raftkv.raft.snapshot.FileSnapshotStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The key-value snapshot format: streamed out and in, versioned, and refused when cut short or padded. */
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

    private static byte[] snapshotBytes(KvStateMachine m) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        m.snapshot(out);
        return out.toByteArray();
    }

    @Test
    void aSnapshotRestoresDataAndSessions() throws IOException {
        KvStateMachine m = new KvStateMachine();
        m.apply(1, KvCodec.encode(new KvCommand.Put("c", 1, "k1", b("v1"))));
        m.apply(2, KvCodec.encode(new KvCommand.Put("c", 2, "k2", b(""))));
        KvStateMachine copy = new KvStateMachine();
        copy.apply(1, KvCodec.encode(new KvCommand.Put("x", 1, "stale", b("gone after restore"))));
        copy.restore(new ByteArrayInputStream(snapshotBytes(m)));
        assertThat(get(copy, "k1")).isEqualTo("v1");
        assertThat(get(copy, "k2")).isEmpty();
        assertThat(get(copy, "stale")).isNull();
        // the session came along: a retry of seq 2 is answered, not applied again
        assertThat(copy.apply(3, KvCodec.encode(new KvCommand.Put("c", 2, "k2", b("again"))))).isEqualTo(new KvResult.Written(2));
        assertThat(get(copy, "k2")).isEmpty();
    }

    @Test
    void twoHundredThousandKeysRoundTripThroughTheFileStore() throws IOException {
        KvStateMachine m = new KvStateMachine();
        int keys = 200_000;
        for (int i = 0; i < keys; i++) {
            m.apply(i + 1, KvCodec.encode(new KvCommand.Put("client-" + (i % 97), i + 1, "key-" + i, b("value-" + i))));
        }
        FileSnapshotStore store = FileSnapshotStore.open(dir);
        try (SnapshotWriter w = store.create(META)) {
            m.snapshot(w.out());
            w.commit();
        }

        Snapshot stored = FileSnapshotStore.open(dir).latest(); // reopened: read back and checksum-verified from disk
        assertThat(stored.meta()).isEqualTo(META);
        KvStateMachine restored = new KvStateMachine();
        try (InputStream in = stored.open()) {
            restored.restore(in);
        }
        assertThat(restored.size()).isEqualTo(keys);
        for (int i = 0; i < keys; i += 997) assertThat(get(restored, "key-" + i)).isEqualTo("value-" + i);
        assertThat(get(restored, "key-" + (keys - 1))).isEqualTo("value-" + (keys - 1));
        // replicas write identical bytes for identical state, so a snapshot's checksum means the same everywhere
        KvStateMachine again = new KvStateMachine();
        try (InputStream in = stored.open()) {
            again.restore(in);
        }
        assertThat(snapshotBytes(again)).isEqualTo(snapshotBytes(m));
    }

    @Test
    void aTruncatedSnapshotIsRefused() throws IOException {
        KvStateMachine m = new KvStateMachine();
        for (int i = 0; i < 100; i++) m.apply(i + 1, KvCodec.encode(new KvCommand.Put("c", i + 1, "k" + i, b("v" + i))));
        byte[] whole = snapshotBytes(m);
        byte[] cut = Arrays.copyOf(whole, whole.length / 2);
        assertThatThrownBy(() -> new KvStateMachine().restore(new ByteArrayInputStream(cut)))
                .isInstanceOf(IOException.class).hasMessageContaining("ends early");
    }

    @Test
    void bytesAfterTheEndAreRefused() throws IOException {
        byte[] whole = snapshotBytes(new KvStateMachine());
        byte[] padded = Arrays.copyOf(whole, whole.length + 1);
        assertThatThrownBy(() -> new KvStateMachine().restore(new ByteArrayInputStream(padded)))
                .isInstanceOf(IOException.class).hasMessageContaining("after its end");
    }

    @Test
    void anUnknownFormatVersionOrForeignBytesAreRefused() throws IOException {
        byte[] future = snapshotBytes(new KvStateMachine());
        future[7] = 2; // the version, after the four magic bytes
        assertThatThrownBy(() -> new KvStateMachine().restore(new ByteArrayInputStream(future)))
                .isInstanceOf(IOException.class).hasMessageContaining("format 2 is not supported");
        assertThatThrownBy(() -> new KvStateMachine().restore(new ByteArrayInputStream(b("not a snapshot at all"))))
                .isInstanceOf(IOException.class).hasMessageContaining("not a key-value snapshot");
    }
}
