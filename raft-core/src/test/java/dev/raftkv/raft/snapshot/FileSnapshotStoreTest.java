package dev.raftkv.raft.snapshot;

import dev.raftkv.raft.ClusterConfig;
import dev.raftkv.raft.SnapshotMeta;
import dev.raftkv.raft.server.Snapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

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
        FileSnapshotStore.open(dir).save(s);
        assertSame(FileSnapshotStore.open(dir).latest(), s);
    }

    @Test
    void theManifestIsPlainJson() throws IOException {
        FileSnapshotStore store = FileSnapshotStore.open(dir);
        store.save(snapshot(7, 2, "abc"));
        String json = Files.readString(store.directory().resolve(FileSnapshotStore.dirName(7, 2)).resolve("manifest.json"));
        assertThat(json.trim()).isEqualTo(
                "{\"index\":7,\"term\":2,\"voters\":[\"n1\",\"n2\",\"n3\"],\"learners\":[\"n4\"],"
                        + "\"endpoints\":[\"n1=raft=h:1\",\"n4=raft=h:4\"],\"size\":3,\"crc32c\":"
                        + crc("abc") + "}");
    }

    @Test
    void theNewestOfSeveralIsLatest() throws IOException {
        FileSnapshotStore store = FileSnapshotStore.open(dir);
        store.save(snapshot(10, 1, "ten"));
        store.save(snapshot(30, 2, "thirty"));
        store.save(snapshot(20, 2, "twenty")); // an older one saved late does not win
        assertSame(store.latest(), snapshot(30, 2, "thirty"));
    }

    @Test
    void aFlippedBitInTheNewestDataFallsBackToThePreviousSnapshot() throws IOException {
        FileSnapshotStore store = FileSnapshotStore.open(dir);
        store.save(snapshot(10, 1, "the older state"));
        store.save(snapshot(20, 1, "the newer state"));
        Path data = store.directory().resolve(FileSnapshotStore.dirName(20, 1)).resolve("data");
        byte[] bytes = Files.readAllBytes(data);
        bytes[3] ^= 0x04;
        Files.write(data, bytes);

        assertSame(store.latest(), snapshot(10, 1, "the older state"));
        assertSame(FileSnapshotStore.open(dir).latest(), snapshot(10, 1, "the older state"));
    }

    @Test
    void aDamagedOrMissingManifestIsSkipped() throws IOException {
        FileSnapshotStore store = FileSnapshotStore.open(dir);
        store.save(snapshot(10, 1, "ten"));
        store.save(snapshot(20, 1, "twenty"));
        Path manifest = store.directory().resolve(FileSnapshotStore.dirName(20, 1)).resolve("manifest.json");
        Files.writeString(manifest, "{\"index\":20,\"term\":1,\"vot");
        assertSame(store.latest(), snapshot(10, 1, "ten"));
        Files.delete(manifest);
        assertSame(store.latest(), snapshot(10, 1, "ten"));
    }

    @Test
    void aManifestThatDisagreesWithItsDirectoryNameIsSkipped() throws IOException {
        FileSnapshotStore store = FileSnapshotStore.open(dir);
        store.save(snapshot(10, 1, "ten"));
        store.save(snapshot(20, 1, "twenty"));
        Path manifest = store.directory().resolve(FileSnapshotStore.dirName(20, 1)).resolve("manifest.json");
        Files.writeString(manifest, Files.readString(manifest).replace("\"index\":20", "\"index\":21"));
        assertSame(store.latest(), snapshot(10, 1, "ten"));
    }

    @Test
    void onlyTheNewestTwoAreKept() throws IOException {
        FileSnapshotStore store = FileSnapshotStore.open(dir);
        for (int i = 1; i <= 4; i++) store.save(snapshot(i * 10L, i, "state " + i));
        assertThat(listing(store)).containsExactlyInAnyOrder(FileSnapshotStore.dirName(30, 3), FileSnapshotStore.dirName(40, 4));
    }

    @Test
    void whatAnInterruptedSaveLeftIsRemovedAndIgnored() throws IOException {
        FileSnapshotStore store = FileSnapshotStore.open(dir);
        store.save(snapshot(10, 1, "ten"));
        Path half = store.directory().resolve(FileSnapshotStore.dirName(20, 1) + ".tmp");
        Files.createDirectory(half);
        Files.writeString(half.resolve("data"), "half of it");
        assertSame(store.latest(), snapshot(10, 1, "ten"));
        FileSnapshotStore reopened = FileSnapshotStore.open(dir);
        assertThat(listing(reopened)).containsExactly(FileSnapshotStore.dirName(10, 1));
        reopened.save(snapshot(20, 1, "twenty"));
        assertSame(reopened.latest(), snapshot(20, 1, "twenty"));
    }

    @Test
    void savingTheSameSnapshotTwiceKeepsOneCopy() throws IOException {
        FileSnapshotStore store = FileSnapshotStore.open(dir);
        store.save(snapshot(10, 1, "ten"));
        store.save(snapshot(10, 1, "ten"));
        assertThat(listing(store)).containsExactly(FileSnapshotStore.dirName(10, 1));
        assertSame(store.latest(), snapshot(10, 1, "ten"));
    }

    @Test
    void anEmptyStateMachineIsASnapshotToo() throws IOException {
        FileSnapshotStore store = FileSnapshotStore.open(dir);
        store.save(snapshot(1, 1, ""));
        assertSame(store.latest(), snapshot(1, 1, ""));
    }

    private static Snapshot snapshot(long index, long term, String state) {
        return new Snapshot(new SnapshotMeta(index, term, MEMBERS), state.getBytes(StandardCharsets.UTF_8));
    }

    private static void assertSame(Snapshot actual, Snapshot expected) {
        assertThat(actual).isNotNull();
        assertThat(actual.meta()).isEqualTo(expected.meta());
        assertThat(actual.data()).isEqualTo(expected.data());
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
