package dev.raftkv.raft.snapshot;

import dev.raftkv.raft.ClusterConfig;
import dev.raftkv.raft.SnapshotMeta;
import dev.raftkv.raft.log.Syncer;
import dev.raftkv.raft.server.Snapshot;
import dev.raftkv.raft.server.SnapshotWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FileSnapshotStoreTest {
    private static final ClusterConfig MEMBERS = new ClusterConfig(Set.of("n1", "n2", "n3"), Set.of("n4"),
            java.util.Map.of("n1", "raft=h:1", "n4", "raft=h:4"));

    @TempDir
    Path dir;

    @Test
    void anEmptyStoreHasNoSnapshot() throws IOException {
        assertThat(FileSnapshotStore.open(dir).latest()).isNull();
    }

    @Test
    void aSavedSnapshotComesBackAfterReopening() throws IOException {
        Snapshot s = snapshot(120, 4, "state at 120");
        save(FileSnapshotStore.open(dir), s);
        assertSame(FileSnapshotStore.open(dir).latest(), s);
    }

    @Test
    void theManifestIsPlainJson() throws IOException {
        FileSnapshotStore store = FileSnapshotStore.open(dir);
        save(store, snapshot(7, 2, "abc"));
        String json = Files.readString(store.directory().resolve(FileSnapshotStore.dirName(7, 2)).resolve("manifest.json"));
        assertThat(json.trim()).isEqualTo(
                "{\"version\":2,\"index\":7,\"term\":2,\"voters\":[\"n1\",\"n2\",\"n3\"],\"learners\":[\"n4\"],"
                        + "\"endpoints\":[\"n1=raft=h:1\",\"n4=raft=h:4\"],\"files\":[{\"name\":\"data\",\"size\":3,\"crc32c\":"
                        + crc("abc") + "}]}");
    }

    @Test
    void theNewestOfSeveralIsLatest() throws IOException {
        FileSnapshotStore store = FileSnapshotStore.open(dir);
        save(store, snapshot(10, 1, "ten"));
        save(store, snapshot(30, 2, "thirty"));
        save(store, snapshot(20, 2, "twenty")); // an older one saved late does not win
        assertSame(store.latest(), snapshot(30, 2, "thirty"));
    }

    @Test
    void aFlippedBitInTheNewestDataFallsBackToThePreviousSnapshot() throws IOException {
        twoSnapshotsTheNewestDamaged();
        assertSame(FileSnapshotStore.open(dir).latest(), snapshot(10, 1, "the older state"));
    }

    @Test
    void aDamagedOrMissingManifestIsSkipped() throws IOException {
        FileSnapshotStore store = FileSnapshotStore.open(dir);
        save(store, snapshot(10, 1, "ten"));
        save(store, snapshot(20, 1, "twenty"));
        Path manifest = store.directory().resolve(FileSnapshotStore.dirName(20, 1)).resolve("manifest.json");
        Files.writeString(manifest, "{\"index\":20,\"term\":1,\"vot");
        assertSame(FileSnapshotStore.open(dir).latest(), snapshot(10, 1, "ten"));
        Files.delete(manifest);
        assertSame(FileSnapshotStore.open(dir).latest(), snapshot(10, 1, "ten"));
    }

    @Test
    void aManifestThatDisagreesWithItsDirectoryNameIsSkipped() throws IOException {
        FileSnapshotStore store = FileSnapshotStore.open(dir);
        save(store, snapshot(10, 1, "ten"));
        save(store, snapshot(20, 1, "twenty"));
        Path manifest = store.directory().resolve(FileSnapshotStore.dirName(20, 1)).resolve("manifest.json");
        Files.writeString(manifest, Files.readString(manifest).replace("\"index\":20", "\"index\":21"));
        assertSame(FileSnapshotStore.open(dir).latest(), snapshot(10, 1, "ten"));
    }

    @Test
    void onlyTheNewestTwoAreKept() throws IOException {
        FileSnapshotStore store = FileSnapshotStore.open(dir);
        for (int i = 1; i <= 4; i++) save(store, snapshot(i * 10L, i, "state " + i));
        assertThat(listing(store)).containsExactlyInAnyOrder(FileSnapshotStore.dirName(30, 3), FileSnapshotStore.dirName(40, 4));
    }

    @Test
    void whatAnInterruptedSaveLeftIsRemovedAndIgnored() throws IOException {
        FileSnapshotStore store = FileSnapshotStore.open(dir);
        save(store, snapshot(10, 1, "ten"));
        Path half = store.directory().resolve(FileSnapshotStore.dirName(20, 1) + "-7.tmp");
        Files.createDirectory(half);
        Files.writeString(half.resolve("data"), "half of it");
        assertSame(store.latest(), snapshot(10, 1, "ten"));
        FileSnapshotStore reopened = FileSnapshotStore.open(dir);
        assertThat(listing(reopened)).containsExactly(FileSnapshotStore.dirName(10, 1));
        save(reopened, snapshot(20, 1, "twenty"));
        assertSame(reopened.latest(), snapshot(20, 1, "twenty"));
    }

    @Test
    void savingTheSameSnapshotTwiceKeepsOneCopy() throws IOException {
        FileSnapshotStore store = FileSnapshotStore.open(dir);
        save(store, snapshot(10, 1, "ten"));
        save(store, snapshot(10, 1, "ten"));
        assertThat(listing(store)).containsExactly(FileSnapshotStore.dirName(10, 1));
        assertSame(store.latest(), snapshot(10, 1, "ten"));
    }

    @Test
    void anEmptyStateMachineIsASnapshotToo() throws IOException {
        FileSnapshotStore store = FileSnapshotStore.open(dir);
        save(store, snapshot(1, 1, ""));
        assertSame(store.latest(), snapshot(1, 1, ""));
    }

    @Test
    void aSnapshotLargerThanAnyBufferIsStreamedInAndOut() throws IOException {
        FileSnapshotStore store = FileSnapshotStore.open(dir);
        long size = 20L * 1024 * 1024 + 17;
        java.util.zip.CRC32C written = new java.util.zip.CRC32C();
        try (SnapshotWriter w = store.create(new SnapshotMeta(50, 3, MEMBERS))) {
            byte[] block = new byte[8191]; // odd-sized writes, so buffering boundaries never line up
            java.util.Random random = new java.util.Random(5);
            java.io.OutputStream out = w.newFile(Snapshot.DATA);
            for (long left = size; left > 0; ) {
                random.nextBytes(block);
                int n = (int) Math.min(block.length, left);
                out.write(block, 0, n);
                written.update(block, 0, n);
                left -= n;
            }
            w.commit();
        }
        Snapshot s = FileSnapshotStore.open(dir).latest();
        assertThat(s.size()).isEqualTo(size);
        assertThat(s.files().get(0).crc32c()).isEqualTo(written.getValue());
        java.util.zip.CRC32C read = new java.util.zip.CRC32C();
        long n = 0;
        try (InputStream in = s.open(Snapshot.DATA)) {
            byte[] buf = new byte[100_000];
            for (int r; (r = in.read(buf)) > 0; n += r) read.update(buf, 0, r);
        }
        assertThat(n).isEqualTo(size);
        assertThat(read.getValue()).isEqualTo(written.getValue());
    }

    @Test
    void aWriterClosedWithoutCommitLeavesNothingBehind() throws IOException {
        FileSnapshotStore store = FileSnapshotStore.open(dir);
        save(store, snapshot(10, 1, "ten"));
        try (SnapshotWriter w = store.create(new SnapshotMeta(20, 1, MEMBERS))) {
            w.newFile(Snapshot.DATA).write("abandoned half way".getBytes(StandardCharsets.UTF_8));
        }
        assertThat(listing(store)).containsExactly(FileSnapshotStore.dirName(10, 1));
        assertSame(store.latest(), snapshot(10, 1, "ten"));
    }

    @Test
    void twoWritersOfOneIndexAtOnceEndInOneSnapshot() throws IOException {
        FileSnapshotStore store = FileSnapshotStore.open(dir);
        SnapshotMeta meta = new SnapshotMeta(30, 2, MEMBERS);
        try (SnapshotWriter first = store.create(meta); SnapshotWriter second = store.create(meta)) {
            first.newFile(Snapshot.DATA).write("same".getBytes(StandardCharsets.UTF_8));
            second.newFile(Snapshot.DATA).write("same".getBytes(StandardCharsets.UTF_8));
            first.commit();
            second.commit();
        }
        assertThat(listing(store)).containsExactly(FileSnapshotStore.dirName(30, 2));
        assertSame(FileSnapshotStore.open(dir).latest(), snapshot(30, 2, "same"));
    }

    @Test
    void aStateMachineThatClosesItsStreamDoesNotEndTheSnapshot() throws IOException {
        FileSnapshotStore store = FileSnapshotStore.open(dir);
        try (SnapshotWriter w = store.create(new SnapshotMeta(5, 1, MEMBERS))) {
            try (java.io.DataOutputStream out = new java.io.DataOutputStream(w.newFile(Snapshot.DATA))) {
                out.writeUTF("closed by its writer");
            }
            w.commit();
        }
        assertThat(FileSnapshotStore.open(dir).latest().size()).isEqualTo(2 + "closed by its writer".length());
    }

    @Test
    void aFailedFsyncCommitsNothing() throws IOException {
        Syncer failing = new Syncer() {
            @Override
            public void force(FileChannel channel) throws IOException {
                throw new IOException("injected: fsync failed");
            }

            @Override
            public void syncDirectory(Path d) {
            }
        };
        FileSnapshotStore store = FileSnapshotStore.open(dir, failing);
        SnapshotWriter w = store.create(new SnapshotMeta(10, 1, MEMBERS));
        w.newFile(Snapshot.DATA).write(1);
        assertThatThrownBy(w::commit).hasMessageContaining("injected");
        w.close();
        assertThat(store.latest()).isNull();
        assertThat(listing(store)).isEmpty();
    }

    @Test
    void aManifestOfTheFirstFormatIsStillReadAndAnUnknownFormatIsRefused() throws IOException {
        FileSnapshotStore store = FileSnapshotStore.open(dir);
        save(store, snapshot(7, 2, "abc"));
        Path manifest = store.directory().resolve(FileSnapshotStore.dirName(7, 2)).resolve("manifest.json");
        Files.writeString(manifest, "{\"index\":7,\"term\":2,\"voters\":[\"n1\",\"n2\",\"n3\"],\"learners\":[\"n4\"],"
                + "\"endpoints\":[\"n1=raft=h:1\",\"n4=raft=h:4\"],\"size\":3,\"crc32c\":" + crc("abc") + "}");
        assertSame(FileSnapshotStore.open(dir).latest(), snapshot(7, 2, "abc"));
        Files.writeString(manifest, Files.readString(manifest).replace("{\"index\"", "{\"version\":3,\"index\""));
        assertThat(FileSnapshotStore.open(dir).latest()).isNull();
        assertThatThrownBy(() -> SnapshotManifest.parse(Files.readString(manifest)))
                .hasMessageContaining("manifest format 3 is not supported");
    }

    @Test
    void aSnapshotOfSeveralFilesKeepsThemInOrderAndLinkedFilesAreNotCopied() throws IOException {
        Path table = dir.resolve("000007.sst");
        Files.writeString(table, "an immutable table file");
        FileSnapshotStore store = FileSnapshotStore.open(dir);
        try (SnapshotWriter w = store.create(new SnapshotMeta(40, 2, MEMBERS))) {
            w.newFile("MANIFEST-000005").write("first".getBytes(StandardCharsets.UTF_8));
            w.linkFile("000007.sst", table);
            w.newFile("CURRENT").write("third".getBytes(StandardCharsets.UTF_8));
            assertThatThrownBy(() -> w.newFile("CURRENT")).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> w.newFile("../escape")).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> w.newFile("manifest.json")).isInstanceOf(IllegalArgumentException.class);
            w.commit();
        }
        Snapshot s = FileSnapshotStore.open(dir).latest();
        assertThat(s.files()).extracting(f -> f.name()).containsExactly("MANIFEST-000005", "000007.sst", "CURRENT");
        assertThat(s.files().get(1).hasCrc()).isFalse();
        assertThat(s.files().get(0).crc32c()).isEqualTo(crc("first"));
        assertThat(Files.isSameFile(s.path("000007.sst"), table)).isTrue();
        assertThat(Files.getAttribute(table, "unix:nlink")).isEqualTo(2);
        try (InputStream in = s.open("000007.sst")) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("an immutable table file");
        }
    }

    @Test
    void whenReadOnlySizesAreCheckedAtStartAndAStreamReadToItsEndChecksTheCrc() throws IOException {
        Path data = twoSnapshotsTheNewestDamaged();
        byte[] bytes = Files.readAllBytes(data);

        Snapshot lazy = FileSnapshotStore.open(dir, Syncer.FSYNC, FileSnapshotStore.Verification.WHEN_READ).latest();
        assertThat(lazy.meta().index()).isEqualTo(20);
        assertThatThrownBy(() -> bytes(lazy)).hasRootCauseMessage(
                "snapshot file " + data + " fails its CRC32C (" + crc(new String(bytes, StandardCharsets.UTF_8))
                        + ", recorded " + crc("the newer state") + "): it was damaged on disk");
        Files.write(data, Arrays.copyOf(bytes, 5));
        assertThat(FileSnapshotStore.open(dir, Syncer.FSYNC, FileSnapshotStore.Verification.WHEN_READ).latest().meta().index())
                .as("a file of the wrong size is caught at start even without reading it").isEqualTo(10);
    }

    @Test
    void aRetainedSnapshotOutlivesNewerOnesUntilItIsReleased() throws IOException {
        FileSnapshotStore store = FileSnapshotStore.open(dir);
        save(store, snapshot(10, 1, "ten"));
        Snapshot.Retained hold = store.latest().retain();
        save(store, snapshot(20, 1, "twenty"));
        save(store, snapshot(30, 1, "thirty"));
        assertThat(listing(store)).contains(FileSnapshotStore.dirName(10, 1));
        hold.close();
        hold.close();
        assertThat(listing(store)).containsExactlyInAnyOrder(FileSnapshotStore.dirName(20, 1), FileSnapshotStore.dirName(30, 1));
    }

    /** Snapshots at 10 and 20; a bit of the newer one's data flipped on disk afterwards. Returns that file. */
    private Path twoSnapshotsTheNewestDamaged() throws IOException {
        FileSnapshotStore store = FileSnapshotStore.open(dir);
        save(store, snapshot(10, 1, "the older state"));
        save(store, snapshot(20, 1, "the newer state"));
        Path data = store.directory().resolve(FileSnapshotStore.dirName(20, 1)).resolve("data");
        byte[] bytes = Files.readAllBytes(data);
        bytes[3] ^= 0x04;
        Files.write(data, bytes);
        return data;
    }

    private static Snapshot snapshot(long index, long term, String state) {
        return Snapshot.ofBytes(new SnapshotMeta(index, term, MEMBERS), state.getBytes(StandardCharsets.UTF_8));
    }

    private static void save(FileSnapshotStore store, Snapshot s) {
        try (SnapshotWriter w = store.create(s.meta())) {
            s.copyTo(w);
            w.commit();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] bytes(Snapshot s) {
        try (InputStream in = s.open(Snapshot.DATA)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void assertSame(Snapshot actual, Snapshot expected) {
        assertThat(actual).isNotNull();
        assertThat(actual.meta()).isEqualTo(expected.meta());
        assertThat(bytes(actual)).isEqualTo(bytes(expected));
        assertThat(actual.size()).isEqualTo(expected.size());
        assertThat(actual.files()).isEqualTo(expected.files());
    }

    private static long crc(String s) {
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(s.getBytes(StandardCharsets.UTF_8));
        return crc.getValue();
    }

    private static java.util.List<String> listing(FileSnapshotStore store) throws IOException {
        try (Stream<Path> files = Files.list(store.directory())) {
            return files.map(p -> p.getFileName().toString()).toList();
        }
    }
}
