package dev.raftkv.raft;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link RaftLog#slice(long, long, int, long)} and {@link RaftLog#bytes()} against naive versions: the
 * slice is the longest prefix within the count and the byte budget, never empty; the log's byte count is
 * the sum over what it holds after any appends, truncations and compactions.
 */
class RaftLogBytesProperties {
    private static RaftLog logOf(List<Integer> sizes) {
        RaftLog log = new RaftLog(0, 0, List.of(), 0);
        for (int i = 0; i < sizes.size(); i++) log.append(Entry.normal(1, i + 1, new byte[sizes.get(i)]));
        return log;
    }

    @Property
    void aSliceIsTheLongestPrefixWithinBothBudgets(@ForAll @Size(min = 1, max = 40) List<@IntRange(max = 5000) Integer> sizes,
                                                   @ForAll @IntRange(min = 1, max = 40) int from,
                                                   @ForAll @IntRange(min = 1, max = 50) int max,
                                                   @ForAll @IntRange(min = 1, max = 20_000) int maxBytes) {
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

    @Provide
    Arbitrary<List<Integer>> ops() {
        // >= 0: append an entry of that size; -1: truncate a suffix; -2: apply and compact a prefix
        return Arbitraries.oneOf(Arbitraries.integers().between(0, 3000), Arbitraries.of(-1, -2)).list().ofMaxSize(80);
    }

    @Property
    void theByteCountIsTheSumOverWhatTheLogHolds(@ForAll("ops") List<Integer> ops) {
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
