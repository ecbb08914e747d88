package dev.raftkv.raft.log;

import dev.raftkv.raft.Entry;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.api.Pair.of;
import static org.quicktheories.generators.Generate.constant;
import static org.quicktheories.generators.Generate.frequency;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

/**
 * Random appends (some at an index already held, which truncates), compactions and reopens give
 * the same entries as a TreeMap. Segments are tiny so that rolling, deleting and truncating across
 * segment boundaries all happen. 200 tries; {@code -DQT_SEED=N} replays the seed QuickTheories prints with
 * a failure.
 */
class SegmentedLogProperties {
    private static final long SEGMENT_BYTES = 512;

    sealed interface Op {
    }

    /** Appends {@code count} entries of a new term, starting {@code back} entries before the end. */
    record Append(int back, int count, int seed) implements Op {
    }

    /** Compacts at a point {@code percent} of the way through the log. */
    record Compact(int percent) implements Op {
    }

    record Reopen() implements Op {
    }

    static Gen<List<Op>> operations() {
        Gen<Op> append = integers().between(0, 8).zip(integers().between(1, 10), integers().all(), Append::new);
        Gen<Op> compact = integers().between(0, 100).map(Compact::new);
        Gen<Op> reopen = constant(new Reopen());
        return lists().of(frequency(of(6, append), of(1, compact), of(1, reopen))).ofSizeBetween(0, 40);
    }

    @Test
    void behavesLikeATreeMap() {
        qt().withExamples(200).forAll(operations()).checkAssert(ops -> {
            try {
                Path dir = Files.createTempDirectory("segmented-log");
                try {
                    run(dir, ops);
                } finally {
                    LogFiles.deleteTree(dir);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    private void run(Path dir, List<Op> ops) throws IOException {
        TestSyncer syncer = TestSyncer.counting();
        TreeMap<Long, Entry> model = new TreeMap<>();
        long term = 0;
        long compactedTo = 0;
        SegmentedLog log = SegmentedLog.open(dir, SEGMENT_BYTES, syncer);
        try {
            for (Op op : ops) {
                if (op instanceof Append a) {
                    term++;
                    // the core never rewrites what a snapshot covers
                    long start = Math.max(Math.max(log.firstIndex(), compactedTo + 1), log.lastIndex() + 1 - a.back());
                    Random random = new Random(a.seed());
                    for (long i = start; i < start + a.count(); i++) {
                        Entry e = random.nextInt(5) == 0 ? Entry.noop(term, i) : LogFiles.entry(term, i, random.nextInt(120), a.seed());
                        log.append(e);
                        model.tailMap(i, true).clear();
                        model.put(i, e);
                    }
                    log.sync();
                } else if (op instanceof Compact c) {
                    long first = log.firstIndex();
                    long index = first - 1 + (log.lastIndex() - first + 1) * c.percent() / 100;
                    log.compact(index);
                    compactedTo = Math.max(compactedTo, index);
                    // compaction frees space: only the newest segment may be left wholly at or below the point
                    List<Path> files = log.segmentFiles();
                    if (files.size() > 1) assertThat(LogFiles.firstIndexOf(files.get(1)) - 1).isGreaterThan(index);
                } else {
                    log.close();
                    log = SegmentedLog.open(dir, SEGMENT_BYTES, syncer);
                }
                check(log, model, compactedTo);
            }
        } finally {
            log.close();
        }
    }

    private static void check(SegmentedLog log, TreeMap<Long, Entry> model, long compactedTo) throws IOException {
        long last = model.isEmpty() ? 0 : model.lastKey();
        assertThat(log.lastIndex()).isEqualTo(last);
        // nothing after the compaction point may go, and no compaction may leave a hole
        assertThat(log.firstIndex()).isLessThanOrEqualTo(compactedTo + 1);
        if (last >= log.firstIndex()) {
            assertThat(log.entries(log.firstIndex(), last))
                    .containsExactlyElementsOf(new ArrayList<>(model.subMap(log.firstIndex(), true, last, true).values()));
        }
    }
}
