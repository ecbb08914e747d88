package dev.raftkv.raft.log;

import dev.raftkv.raft.ClusterConfig;
import dev.raftkv.raft.Entry;
import dev.raftkv.raft.HardState;
import dev.raftkv.raft.SnapshotMeta;
import dev.raftkv.raft.server.LogStorage.Batch;
import dev.raftkv.raft.server.LogStorage.Recovered;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FileLogStorageTest {
    private static final ClusterConfig MEMBERS = ClusterConfig.ofVoters("a", "b", "c");

    @TempDir
    Path dir;
    private final List<FileLogStorage> opened = new ArrayList<>();

    @AfterEach
    void closeAll() {
        opened.forEach(FileLogStorage::close);
    }

    @Test
    void whatWasWrittenIsLoadedAfterReopening() throws Exception {
        FileLogStorage storage = open(FileLogStorage.Options.DEFAULT);
        storage.load(null);
        Outcomes outcomes = new Outcomes(3);
        storage.write(new Batch(new HardState(1, "a", 0), null, entries(1, 1, 3)), outcomes.next());
        storage.write(new Batch(new HardState(2, "b", 2), null, entries(2, 3, 5)), outcomes.next()); // replaces 3
        storage.write(new Batch(null, null, entries(2, 6, 6)), outcomes.next());
        outcomes.awaitAllSucceeded();
        storage.close();

        Recovered r = open(FileLogStorage.Options.DEFAULT).load(null);
        assertThat(r.hardState()).isEqualTo(new HardState(2, "b", 2));
        List<Entry> expected = new ArrayList<>(entries(1, 1, 2));
        expected.addAll(entries(2, 3, 6));
        assertThat(r.entries()).isEqualTo(expected);
    }

    @Test
    void aNewStorageLoadsAsEmpty() {
        Recovered r = open(FileLogStorage.Options.DEFAULT).load(null);
        assertThat(r.hardState()).isEqualTo(HardState.INITIAL);
        assertThat(r.entries()).isEmpty();
    }

    @Test
    void doneIsCalledOncePerWriteInSubmissionOrder() throws Exception {
        FileLogStorage storage = open(new FileLogStorage.Options(4096, TestSyncer.counting()));
        int writes = 300;
        List<Integer> order = Collections.synchronizedList(new ArrayList<>());
        Outcomes outcomes = new Outcomes(writes);
        for (int i = 1; i <= writes; i++) {
            int n = i;
            var done = outcomes.next();
            storage.write(new Batch(new HardState(1, null, i - 1), null, entries(1, i, i)), error -> {
                order.add(n);
                done.accept(error);
            });
        }
        outcomes.awaitAllSucceeded();
        assertThat(order).isEqualTo(LongStream.rangeClosed(1, writes).mapToObj(i -> (int) i).toList());
    }

    @Test
    void writesQueuedWhileTheDiskIsBusyShareOneSync() throws Exception {
        TestSyncer syncer = TestSyncer.counting();
        FileLogStorage storage = open(new FileLogStorage.Options(SegmentedLog.DEFAULT_SEGMENT_BYTES, syncer));
        storage.load(null);
        CountDownLatch diskBusy = new CountDownLatch(1);
        syncer.holdNextForce(diskBusy);
        int writes = 50;
        Outcomes outcomes = new Outcomes(writes);
        for (int i = 1; i <= writes; i++) {
            storage.write(new Batch(new HardState(1, "a", i - 1), null, entries(1, i, i)), outcomes.next());
        }
        diskBusy.countDown();
        outcomes.awaitAllSucceeded();
        // at most: the first write alone (its sync held up), then everything that queued behind it
        assertThat(storage.groupCommits()).isBetween(1L, 2L);
        assertThat(syncer.forces.get()).isLessThan(writes);
    }

    @Test
    void anUnchangedHardStateIsNotWrittenAgain() throws Exception {
        TestSyncer syncer = TestSyncer.counting();
        FileLogStorage storage = open(new FileLogStorage.Options(SegmentedLog.DEFAULT_SEGMENT_BYTES, syncer));
        storage.load(null);
        Outcomes first = new Outcomes(1);
        storage.write(new Batch(new HardState(1, "a", 0), null, entries(1, 1, 1)), first.next());
        first.awaitAllSucceeded();
        int forces = syncer.forces.get();
        Outcomes second = new Outcomes(1);
        storage.write(new Batch(new HardState(1, "a", 0), null, List.of()), second.next());
        second.awaitAllSucceeded();
        assertThat(syncer.forces.get()).isEqualTo(forces);
    }

    @Test
    void aFailedSyncFailsThatWriteAndEveryLaterOneAndTheStorageWritesNoMore() throws Exception {
        TestSyncer syncer = TestSyncer.counting();
        FileLogStorage storage = open(new FileLogStorage.Options(SegmentedLog.DEFAULT_SEGMENT_BYTES, syncer));
        storage.load(null);
        Outcomes before = new Outcomes(1);
        storage.write(new Batch(new HardState(1, null, 0), null, entries(1, 1, 2)), before.next());
        before.awaitAllSucceeded();

        IOException eio = new IOException("EIO");
        syncer.failWith(eio);
        Outcomes failing = new Outcomes(3);
        storage.write(new Batch(null, null, entries(1, 3, 3)), failing.next());
        storage.write(new Batch(new HardState(1, null, 3), null, List.of()), failing.next());
        storage.write(new Batch(null, null, entries(1, 4, 4)), failing.next());
        assertThat(failing.await()).containsOnly(eio);

        // the disk "recovers", but a retry after a failed fsync could report lost data as durable
        syncer.failWith(null);
        int forcesBefore = syncer.forces.get();
        Outcomes after = new Outcomes(1);
        storage.write(new Batch(null, null, entries(1, 5, 5)), after.next());
        assertThat(after.await()).containsOnly(eio);
        assertThat(syncer.forces.get()).isEqualTo(forcesBefore);
        assertThatThrownBy(() -> storage.load(null)).isInstanceOf(UncheckedIOException.class);
        assertThat(storage.groupCommits()).isEqualTo(1);
    }

    @Test
    void anInstalledSnapshotRestartsTheLogRightAfterIt() throws Exception {
        FileLogStorage storage = open(new FileLogStorage.Options(512, TestSyncer.counting()));
        storage.load(null);
        SnapshotMeta snap = new SnapshotMeta(50, 3, MEMBERS);
        Outcomes outcomes = new Outcomes(2);
        storage.write(new Batch(new HardState(1, null, 0), null, entries(1, 1, 20)), outcomes.next());
        storage.write(new Batch(new HardState(3, "c", 50), snap, entries(3, 51, 55)), outcomes.next());
        outcomes.awaitAllSucceeded();
        storage.close();

        Recovered r = open(new FileLogStorage.Options(512, TestSyncer.counting())).load(snap);
        assertThat(r.hardState()).isEqualTo(new HardState(3, "c", 50));
        assertThat(r.entries()).isEqualTo(entries(3, 51, 55));
    }

    @Test
    void aLogThatDoesNotHoldTheSnapshotsLastEntryIsDiscarded() throws Exception {
        writeAndClose(entries(1, 1, 10));
        FileLogStorage storage = open(FileLogStorage.Options.DEFAULT);
        // the snapshot has index 8 at term 2; this log has term 1 there: another history
        assertThat(storage.load(new SnapshotMeta(8, 2, MEMBERS)).entries()).isEmpty();
        Outcomes outcomes = new Outcomes(1);
        storage.write(new Batch(null, null, entries(2, 9, 9)), outcomes.next());
        outcomes.awaitAllSucceeded();
        storage.close();
        assertThat(open(FileLogStorage.Options.DEFAULT).load(new SnapshotMeta(8, 2, MEMBERS)).entries())
                .isEqualTo(entries(2, 9, 9));
    }

    @Test
    void aSnapshotAheadOfTheWholeLogDiscardsIt() throws Exception {
        writeAndClose(entries(1, 1, 10));
        assertThat(open(FileLogStorage.Options.DEFAULT).load(new SnapshotMeta(20, 1, MEMBERS)).entries()).isEmpty();
    }

    @Test
    void entriesAfterAMatchingSnapshotAreKept() throws Exception {
        writeAndClose(entries(1, 1, 10));
        assertThat(open(FileLogStorage.Options.DEFAULT).load(new SnapshotMeta(6, 1, MEMBERS)).entries())
                .isEqualTo(entries(1, 7, 10));
    }

    @Test
    void compactionIsQueuedAndDeletesWholeSegmentsBelowTheSnapshot() throws Exception {
        FileLogStorage.Options small = new FileLogStorage.Options(512, TestSyncer.counting());
        FileLogStorage storage = open(small);
        storage.load(null);
        Outcomes outcomes = new Outcomes(1);
        storage.write(new Batch(null, null, entries(1, 1, 100)), outcomes.next());
        storage.compact(60);
        outcomes.awaitAllSucceeded();
        storage.close();

        try (SegmentedLog log = SegmentedLog.open(dir.resolve("log"), 512, TestSyncer.counting())) {
            assertThat(log.firstIndex()).isBetween(2L, 61L);
        }
        assertThat(open(small).load(new SnapshotMeta(60, 1, MEMBERS)).entries()).isEqualTo(entries(1, 61, 100));
    }

    @Test
    void aLogStartingAfterTheSnapshotIsRefusedRatherThanLoadedWithAHole() throws Exception {
        FileLogStorage.Options small = new FileLogStorage.Options(512, TestSyncer.counting());
        FileLogStorage storage = open(small);
        storage.load(null);
        Outcomes outcomes = new Outcomes(1);
        storage.write(new Batch(null, null, entries(1, 1, 100)), outcomes.next());
        storage.compact(60);
        outcomes.awaitAllSucceeded();
        storage.close();
        // the snapshot at 60 is gone (say it was damaged and an older one is all there is)
        assertThatThrownBy(() -> open(small).load(new SnapshotMeta(10, 1, MEMBERS)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("missing");
    }

    @Test
    void closeFinishesQueuedWritesAndLaterWritesAreRefused() throws Exception {
        FileLogStorage storage = open(new FileLogStorage.Options(SegmentedLog.DEFAULT_SEGMENT_BYTES, TestSyncer.counting()));
        storage.load(null);
        Outcomes outcomes = new Outcomes(40);
        for (int i = 1; i <= 40; i++) storage.write(new Batch(null, null, entries(1, i, i)), outcomes.next());
        storage.close();
        outcomes.awaitAllSucceeded();
        Outcomes late = new Outcomes(1);
        storage.write(new Batch(null, null, entries(1, 41, 41)), late.next());
        assertThat(late.await()).singleElement().isInstanceOf(IllegalStateException.class);
        assertThat(open(FileLogStorage.Options.DEFAULT).load(null).entries()).hasSize(40);
    }

    private FileLogStorage open(FileLogStorage.Options options) {
        try {
            FileLogStorage s = FileLogStorage.open(dir, options);
            opened.add(s);
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void writeAndClose(List<Entry> entries) throws Exception {
        FileLogStorage storage = open(FileLogStorage.Options.DEFAULT);
        storage.load(null);
        Outcomes outcomes = new Outcomes(1);
        storage.write(new Batch(new HardState(1, null, 0), null, entries), outcomes.next());
        outcomes.awaitAllSucceeded();
        storage.close();
    }

    private static List<Entry> entries(long term, long from, long to) {
        return LongStream.rangeClosed(from, to).mapToObj(i -> LogFiles.entry(term, i, 30, term)).toList();
    }

    /** Collects what each write's {@code done} was told; waits with a bound, never sleeps. */
    private static final class Outcomes {
        private final Throwable[] results;
        private final CountDownLatch latch;
        private int handedOut;

        Outcomes(int writes) {
            results = new Throwable[writes];
            latch = new CountDownLatch(writes);
        }

        Consumer<Throwable> next() {
            int slot = handedOut++;
            return error -> {
                results[slot] = error;
                latch.countDown();
            };
        }

        List<Throwable> await() throws InterruptedException {
            assertThat(latch.await(30, TimeUnit.SECONDS)).as("every write was answered").isTrue();
            return Arrays.asList(results.clone()); // the latch orders the callbacks' writes before this read
        }

        void awaitAllSucceeded() throws InterruptedException {
            assertThat(await()).containsOnlyNulls();
        }
    }
}
