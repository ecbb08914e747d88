package dev.raftkv.kv.store;

import dev.raftkv.raft.ClusterConfig;
import dev.raftkv.raft.SnapshotMeta;
import dev.raftkv.raft.server.Snapshot;
import dev.raftkv.raft.server.SnapshotFile;
import dev.raftkv.raft.server.SnapshotWriter;
import dev.raftkv.raft.snapshot.FileSnapshotStore;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The contract on RocksDB, and what only a store on disk must do: survive a reopen, install atomically. */
class RocksKvStoreTest extends KvStoreContract {
    /** Small buffers, so that tests reach flushes and several table files quickly. */
    static final RocksSettings SMALL = new RocksSettings(8L << 20, 1L << 20, 2, 10, 4096, 1);

    @Override
    KvStore create(Path home) throws IOException {
        return RocksKvStore.open(home, SMALL);
    }

    @Test
    void whatAClosedStoreHeldIsThereAfterReopening() throws IOException {
        Path home = dir.resolve("a");
        try (KvStore store = RocksKvStore.open(home, SMALL)) {
            store.write(batch(9, "k", "v"));
        }
        try (KvStore store = RocksKvStore.open(home, SMALL)) {
            assertThat(store.meta().appliedIndex()).isEqualTo(9);
            assertThat(s(store.get(b("k")).value())).isEqualTo("v");
        }
    }

    @Test
    void aStoreOfAnotherFormatIsRefusedWithAMessage() throws IOException {
        Path home = dir.resolve("a");
        try (KvStore store = RocksKvStore.open(home, SMALL)) {
            store.write(batch(1, "k", "v"));
        }
        try (org.rocksdb.RocksDB db = org.rocksdb.RocksDB.open(onlyDb(home).toString())) {
            db.put(new byte[]{'f'}, new byte[]{9});
        } catch (org.rocksdb.RocksDBException e) {
            throw new IOException(e);
        }
        assertThatThrownBy(() -> RocksKvStore.open(home, SMALL)).isInstanceOf(IOException.class)
                .hasMessageContaining("this build reads format 1");
    }

    @Test
    void aCheckpointHardLinksTheTableFilesAndFlushesFirst() throws IOException {
        Path home = dir.resolve("a");
        KvStore store = open(home);
        store.write(batch(1, "k", "v")); // only in the memtable: the WAL is off
        FileSnapshotStore snapshots = FileSnapshotStore.open(dir.resolve("node"));
        Snapshot snap;
        try (SnapshotWriter w = snapshots.create(new SnapshotMeta(1, 1, ClusterConfig.ofVoters("n1")))) {
            store.snapshot(w);
            snap = w.commit();
        }
        List<SnapshotFile> tables = snap.files().stream().filter(f -> f.name().endsWith(".sst")).toList();
        assertThat(tables).isNotEmpty().allSatisfy(f -> assertThat(f.hasCrc()).isFalse());
        for (SnapshotFile f : tables) {
            assertThat(Files.isSameFile(snap.path(f.name()), onlyDb(home).resolve(f.name()))).as(f.name()).isTrue();
        }
        assertThat(snap.files()).extracting(SnapshotFile::name).contains("CURRENT");
    }

    @Test
    void anInstallCutShortAtAnyStepComesBackWithTheOldStateOrTheNew() throws IOException {
        Path home = dir.resolve("follower");
        Snapshot snap = snapshotOf(dir.resolve("leader"), "new", 50);
        // built but never switched to (killed before the rename of LIVE): the old database, and nothing left over
        try (RocksKvStore store = RocksKvStore.open(home, SMALL)) {
            store.write(batch(10, "old", "1"));
        }
        Path half = home.resolve("db-00000000000000000002.tmp");
        Files.createDirectories(half);
        Files.writeString(half.resolve("000001.sst"), "half a table");
        Files.createDirectories(home.resolve("db-00000000000000000003")); // a complete build LIVE never named
        try (RocksKvStore store = RocksKvStore.open(home, SMALL)) {
            assertThat(store.meta().appliedIndex()).isEqualTo(10);
            assertThat(store.get(b("old"))).isNotNull();
            assertThat(listing(home)).containsExactlyInAnyOrder("LIVE", "db-00000000000000000001");
            store.restore(snap);
            assertThat(store.meta().appliedIndex()).isEqualTo(50);
        }
        // after the switch: the new state, and the old database is gone
        try (RocksKvStore store = RocksKvStore.open(home, SMALL)) {
            assertThat(store.meta().appliedIndex()).isEqualTo(50);
            assertThat(store.get(b("old"))).isNull();
            assertThat(store.get(b("new"))).isNotNull();
            assertThat(listing(home)).containsExactlyInAnyOrder("LIVE", "db-00000000000000000002");
        }
    }

    @Test
    void aCheckpointWhoseTableIsDamagedIsRefusedAndTheOldStateStays() throws IOException {
        Snapshot snap = snapshotOf(dir.resolve("leader"), "new", 50);
        SnapshotFile table = snap.files().stream().filter(f -> f.name().endsWith(".sst")).findFirst().orElseThrow();
        Path file = snap.path(table.name());
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length / 3] ^= 0x20;
        Files.write(file, bytes);
        Path home = dir.resolve("follower");
        try (RocksKvStore store = RocksKvStore.open(home, SMALL)) {
            store.write(batch(10, "old", "1"));
            assertThatThrownBy(() -> store.restore(snap)).isInstanceOf(IOException.class);
            assertThat(store.meta().appliedIndex()).isEqualTo(10);
            assertThat(store.get(b("old"))).isNotNull();
        }
    }

    private Snapshot snapshotOf(Path home, String key, long index) throws IOException {
        try (RocksKvStore leader = RocksKvStore.open(home, SMALL)) {
            KvBatch batch = batch(index);
            for (int i = 0; i < 5_000; i++) batch.put(b(key + i), new Versioned(new byte[100], index, index, 1));
            batch.put(b(key), new Versioned(b("x"), index, index, 1));
            leader.write(batch);
            FileSnapshotStore snapshots = FileSnapshotStore.open(home.resolveSibling(home.getFileName() + "-snapshots"));
            try (SnapshotWriter w = snapshots.create(new SnapshotMeta(index, 1, ClusterConfig.ofVoters("n1")))) {
                leader.snapshot(w);
                return w.commit();
            }
        }
    }

    private static Path onlyDb(Path home) throws IOException {
        try (Stream<Path> s = Files.list(home)) {
            return s.filter(p -> p.getFileName().toString().startsWith("db-")).findFirst().orElseThrow();
        }
    }

    private static List<String> listing(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).toList();
        }
    }
}
