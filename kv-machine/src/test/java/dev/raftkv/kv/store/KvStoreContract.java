package dev.raftkv.kv.store;

import dev.raftkv.raft.ClusterConfig;
import dev.raftkv.raft.SnapshotMeta;
import dev.raftkv.raft.server.Snapshot;
import dev.raftkv.raft.server.SnapshotWriter;
import dev.raftkv.raft.snapshot.FileSnapshotStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What every {@link KvStore} must do, run against each of them ({@link MemoryKvStoreTest},
 * {@link RocksKvStoreTest}): values with revisions, deletes, ordered scans in UTF-8 byte order, the
 * session table and its age order, the meta, atomic batches, and a snapshot restored into a fresh store.
 */
abstract class KvStoreContract {
    @TempDir
    Path dir;
    private final List<KvStore> opened = new ArrayList<>();

    /** A new, empty store in {@code home}. */
    abstract KvStore create(Path home) throws IOException;

    KvStore open(Path home) throws IOException {
        KvStore s = create(home);
        opened.add(s);
        return s;
    }

    @AfterEach
    void closeAll() {
        opened.forEach(KvStore::close);
    }

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String s(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    static KvBatch batch(long index, String... keyValues) {
        KvBatch batch = new KvBatch();
        for (int i = 0; i < keyValues.length; i += 2) {
            if (keyValues[i + 1] == null) batch.delete(b(keyValues[i]));
            else batch.put(b(keyValues[i]), new Versioned(b(keyValues[i + 1]), index, index, 1));
        }
        batch.meta(new KvMeta(index, 0, 0, 0));
        return batch;
    }

    static List<String> keys(KvStore store, String from, String to) {
        List<String> out = new ArrayList<>();
        try (KvStore.Cursor<KvStore.Entry> c = store.scan(from == null ? null : b(from), to == null ? null : b(to))) {
            c.forEachRemaining(e -> out.add(s(e.key())));
        }
        return out;
    }

    @Test
    void anEmptyStoreHoldsNothing() throws IOException {
        KvStore store = open(dir.resolve("a"));
        assertThat(store.meta()).isEqualTo(KvMeta.EMPTY);
        assertThat(store.get(b("k"))).isNull();
        assertThat(keys(store, null, null)).isEmpty();
        try (KvStore.Cursor<Session> sessions = store.sessionsByAge()) {
            assertThat(sessions.hasNext()).isFalse();
        }
    }

    @Test
    void aBatchSetsAndDeletesKeysWithTheirRevisionsAndMeta() throws IOException {
        KvStore store = open(dir.resolve("a"));
        store.write(batch(5, "a", "1", "b", "2"));
        KvBatch next = batch(6, "a", null);
        next.put(b("b"), new Versioned(b("3"), 5, 6, 2));
        next.meta(new KvMeta(7, 1234, 0, 0));
        store.write(next);
        assertThat(store.get(b("a"))).isNull();
        Versioned v = store.get(b("b"));
        assertThat(s(v.value())).isEqualTo("3");
        assertThat(List.of(v.createRevision(), v.modRevision(), v.version())).containsExactly(5L, 6L, 2L);
        assertThat(store.meta()).isEqualTo(new KvMeta(7, 1234, 0, 0));
        store.write(batch(8, "empty", ""));
        assertThat(store.get(b("empty")).value()).isEmpty();
    }

    @Test
    void aDeletedRangeGoesBeforeTheBatchsKeysAndAKeySetAfterItStays() throws IOException {
        KvStore store = open(dir.resolve("a"));
        store.write(batch(1, "a", "1", "p/1", "1", "p/2", "1", "q", "1", "z", "1"));
        KvBatch next = new KvBatch();
        next.put(b("p/3"), new Versioned(b("gone"), 2, 2, 1)); // set, then deleted by the range in the same batch
        next.deleteRange(b("p/"), b("p0"));
        next.put(b("p/2"), new Versioned(b("new"), 2, 2, 1)); // set after the range went: it stays
        next.deleteRange(b("x"), null); // to the last key
        next.meta(new KvMeta(2, 0, 0, 0));
        store.write(next);
        assertThat(keys(store, null, null)).containsExactly("a", "p/2", "q");
        assertThat(s(store.get(b("p/2")).value())).isEqualTo("new");
        assertThat(store.get(b("p/1"))).isNull();
        assertThat(store.get(b("p/3"))).isNull();
        assertThat(store.meta().appliedIndex()).isEqualTo(2);
    }

    @Test
    void scansGoInUtf8ByteOrderFromAStartKeyToAnEndKey() throws IOException {
        KvStore store = open(dir.resolve("a"));
        // UTF-16 order (String.compareTo) puts U+1F600 (a surrogate pair) before U+FFFD; UTF-8 byte order does not
        String emoji = "\uD83D\uDE00";
        String replacement = "\uFFFD";
        store.write(batch(1, "b", "1", "a", "1", "ab", "1", emoji, "1", replacement, "1", "é", "1", "B", "1", "a\u0000", "1"));
        assertThat(keys(store, null, null)).containsExactly("B", "a", "a\u0000", "ab", "b", "é", replacement, emoji);
        assertThat(keys(store, "ab", null)).containsExactly("ab", "b", "é", replacement, emoji);
        assertThat(keys(store, "a", "b")).containsExactly("a", "a\u0000", "ab");
        assertThat(keys(store, "aa", "ab")).isEmpty();
        assertThat(keys(store, replacement, null)).containsExactly(replacement, emoji);
        assertThat(keys(store, "z", null)).containsExactly("é", replacement, emoji);
    }

    @Test
    void sessionsAreKeptByIdAndWalkedLeastRecentlyActiveFirst() throws IOException {
        KvStore store = open(dir.resolve("a"));
        KvBatch first = batch(3);
        first.putSession("late", null, new Session("late", 1, b("r1"), 3, 100));
        first.putSession("early", null, new Session("early", 4, b("r2"), 2, 90));
        first.putSession("middle", null, new Session("middle", 2, b("r3"), 1, 80));
        store.write(first);
        assertThat(ids(store)).containsExactly("middle", "early", "late");
        KvBatch second = batch(5);
        second.putSession("middle", store.session("middle"), new Session("middle", 3, b("r4"), 5, 120));
        second.putSession("early", store.session("early"), null);
        store.write(second);
        assertThat(ids(store)).containsExactly("late", "middle");
        assertThat(store.session("early")).isNull();
        Session m = store.session("middle");
        assertThat(List.of(m.seq(), m.lastIndex(), m.lastTime())).containsExactly(3L, 5L, 120L);
        assertThat(s(m.result())).isEqualTo("r4");
    }

    private static List<String> ids(KvStore store) {
        List<String> out = new ArrayList<>();
        try (KvStore.Cursor<Session> c = store.sessionsByAge()) {
            c.forEachRemaining(s -> out.add(s.clientId()));
        }
        return out;
    }

    @Test
    void aSnapshotRestoresEverythingIntoAFreshStoreOfItsKindAndReplacesWhatWasThere() throws IOException {
        KvStore source = open(dir.resolve("source"));
        KvBatch batch = batch(40);
        for (int i = 0; i < 2_000; i++) batch.put(b(String.format("key-%05d", i)), new Versioned(b("value-" + i), i + 1, 40, 3));
        batch.putSession("c", null, new Session("c", 9, b("result"), 40, 777));
        batch.meta(new KvMeta(40, 777, 1, 70));
        source.write(batch);
        SnapshotMeta meta = new SnapshotMeta(40, 2, ClusterConfig.ofVoters("n1"));
        FileSnapshotStore snapshots = FileSnapshotStore.open(dir.resolve("snapshots-of-source"));
        Snapshot snap;
        try (SnapshotWriter w = snapshots.create(meta)) {
            source.snapshot(w);
            snap = w.commit();
        }
        // the source goes on: the snapshot does not change with it
        source.write(batch(41, "key-00000", null, "after", "x"));

        KvStore target = open(dir.resolve("target"));
        target.write(batch(3, "stale", "gone after the restore"));
        target.restore(FileSnapshotStore.open(dir.resolve("snapshots-of-source")).latest());
        assertThat(target.meta()).isEqualTo(new KvMeta(40, 777, 1, 70));
        assertThat(target.get(b("stale"))).isNull();
        assertThat(target.get(b("after"))).isNull();
        assertThat(keys(target, null, null)).hasSize(2_000).first().isEqualTo("key-00000");
        Versioned v = target.get(b("key-01234"));
        assertThat(List.of(v.createRevision(), v.modRevision(), v.version())).containsExactly(1235L, 40L, 3L);
        assertThat(target.session("c").seq()).isEqualTo(9);
        // and the restored store takes writes as usual
        target.write(batch(41, "new", "y"));
        assertThat(target.get(b("new"))).isNotNull();
        assertThat(snap.meta()).isEqualTo(meta);
    }
}
