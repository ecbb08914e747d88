package dev.raftkv.raft;

import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.Generate.oneOf;
import static org.quicktheories.generators.Generate.pick;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

/**
 * {@link RaftLog#slice(long, long, int, long)} and {@link RaftLog#bytes()} against naive versions: the
 * slice is the longest prefix within the count and the byte budget, never empty; the log's byte count is
 * the sum over what it holds after any appends, truncations and compactions. 1,000 tries each;
 * {@code -DQT_SEED=N} replays the seed QuickTheories prints with a failure.
 */
class RaftLogBytesProperties {
    private static final int TRIES = 1000;

    record SliceCase(List<Integer> sizes, int from, int max, int maxBytes) {
    }

    private static RaftLog logOf(List<Integer> sizes) {
        RaftLog log = new RaftLog(0, 0, List.of(), 0);
        for (int i = 0; i < sizes.size(); i++) log.append(Entry.normal(1, i + 1, new byte[sizes.get(i)]));
        return log;
    }

    @Test
    void aSliceIsTheLongestPrefixWithinBothBudgets() {
        Gen<SliceCase> cases = lists().of(integers().between(0, 5000)).ofSizeBetween(1, 40).zip(
                integers().between(1, 40), integers().between(1, 50), integers().between(1, 20_000), SliceCase::new);
        qt().withExamples(TRIES).forAll(cases).checkAssert(RaftLogBytesProperties::sliceMatchesNaive);
    }

    private static void sliceMatchesNaive(SliceCase c) {
        List<Integer> sizes = c.sizes();
        int from = c.from();
        int max = c.max();
        int maxBytes = c.maxBytes();
        RaftLog log = logOf(sizes);
        long first = Math.min(from, sizes.size());
        List<Entry> slice = log.slice(first, log.lastIndex(), max, maxBytes);
        // naive: take entries one by one while the count allows and, past the first, the bytes do
        List<Entry> naive = new ArrayList<>();
        long sum = 0;
        for (long i = first; i <= log.lastIndex() && naive.size() < max; i++) {
            Entry e = log.entry(i);
            if (!naive.isEmpty() && sum + e.sizeBytes() > maxBytes) break;
            naive.add(e);
            sum += e.sizeBytes();
        }
        assertThat(slice).isEqualTo(naive).isNotEmpty();
        assertThat(slice.size() == 1 || Entry.sizeBytes(slice) <= maxBytes).isTrue();
    }

    static Gen<List<Integer>> ops() {
        // >= 0: append an entry of that size; -1: truncate a suffix; -2: apply and compact a prefix
        return lists().of(oneOf(integers().between(0, 3000), pick(List.of(-1, -2)))).ofSizeBetween(0, 80);
    }

    @Test
    void theByteCountIsTheSumOverWhatTheLogHolds() {
        qt().withExamples(TRIES).forAll(ops()).checkAssert(RaftLogBytesProperties::byteCountMatchesNaive);
    }

    private static void byteCountMatchesNaive(List<Integer> ops) {
        RaftLog log = new RaftLog(0, 0, List.of(), 0);
        long term = 1;
        for (int op : ops) {
            if (op >= 0) {
                log.append(Entry.normal(term, log.lastIndex() + 1, new byte[op]));
            } else if (op == -1 && log.lastIndex() > log.committed()) {
                log.truncateFrom(Math.max(log.committed() + 1, log.lastIndex() - 2));
                term++;
            } else if (op == -2 && log.lastIndex() > log.snapshotIndex()) {
                long upTo = log.snapshotIndex() + 1 + (log.lastIndex() - log.snapshotIndex()) / 2;
                log.takeUnhanded(); // applying needs the entries handed to storage and durable
                log.persistedTo(log.lastIndex(), log.lastTerm());
                log.commitTo(upTo);
                log.takeCommittedToApply();
                log.compactTo(upTo);
            }
            long naive = 0;
            for (long i = log.firstIndex(); i <= log.lastIndex(); i++) naive += log.entry(i).sizeBytes();
            assertThat(log.bytes()).isEqualTo(naive);
        }
    }
}
