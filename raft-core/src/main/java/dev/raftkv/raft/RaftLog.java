package dev.raftkv.raft;

import java.util.ArrayList;
import java.util.List;

/**
 * The core's in-memory copy of the log since the last snapshot, and the indexes that say how far
 * it has been handed to storage, made durable, committed and handed to the state machine.
 * Entry {@code i} of {@code entries} has index {@code snapshotIndex + 1 + i}. Owned by one {@link RaftNode}.
 */
final class RaftLog {
    private long snapshotIndex;
    private long snapshotTerm;
    private final ArrayList<Entry> entries = new ArrayList<>();
    /** {@link Entry#sizeBytes()} summed over {@code entries}: what this log holds on the heap. */
    private long bytes;

    /** Highest index known to be committed. */
    private long committed;
    /** Highest index handed to the state machine. */
    private long applied;
    /** Highest index the log writer reported durable. */
    private long persisted;
    /** First index not yet handed to the log writer. */
    private long unhandedFrom;

    RaftLog(long snapshotIndex, long snapshotTerm, List<Entry> recovered, long commitHint) {
        this.snapshotIndex = snapshotIndex;
        this.snapshotTerm = snapshotTerm;
        long expect = snapshotIndex + 1;
        for (Entry e : recovered) {
            if (e.index() != expect) {
                throw new IllegalArgumentException("recovered log has a gap: expected index " + expect + ", got " + e);
            }
            entries.add(e);
            bytes += e.sizeBytes();
            expect++;
        }
        this.persisted = lastIndex();
        this.unhandedFrom = lastIndex() + 1;
        this.applied = snapshotIndex;
        this.committed = Math.max(snapshotIndex, Math.min(commitHint, lastIndex()));
    }

    long snapshotIndex() {
        return snapshotIndex;
    }

    long firstIndex() {
        return snapshotIndex + 1;
    }

    long lastIndex() {
        return snapshotIndex + entries.size();
    }

    long lastTerm() {
        return term(lastIndex());
    }

    long committed() {
        return committed;
    }

    long applied() {
        return applied;
    }

    long persisted() {
        return persisted;
    }

    /** The term of the entry at {@code index}, or -1 when it is compacted away or beyond the end. */
    long term(long index) {
        if (index == snapshotIndex) return snapshotTerm;
        if (index < snapshotIndex || index > lastIndex()) return -1;
        return entries.get((int) (index - snapshotIndex - 1)).term();
    }

    boolean matchTerm(long index, long term) {
        long t = term(index);
        return t >= 0 && t == term;
    }

    Entry entry(long index) {
        return entries.get((int) (index - snapshotIndex - 1));
    }

    /** Raft §5.4.1: a candidate's log is at least as up to date as ours. */
    boolean isUpToDate(long lastIdx, long lastTrm) {
        return lastTrm > lastTerm() || (lastTrm == lastTerm() && lastIdx >= lastIndex());
    }

    /** The bytes of the entries held ({@link Entry#sizeBytes()}): what snapshots must keep bounded. */
    long bytes() {
        return bytes;
    }

    /** Entries {@code from}..{@code to} inclusive, at most {@code max} of them. */
    List<Entry> slice(long from, long to, int max) {
        return slice(from, to, max, Long.MAX_VALUE);
    }

    /**
     * Entries {@code from}..{@code to} inclusive: at most {@code max} of them and, past the first, only
     * while their {@link Entry#sizeBytes()} add up to at most {@code maxBytes}. The first is always
     * included, however large, so that an entry larger than the budget still travels (alone).
     */
    List<Entry> slice(long from, long to, int max, long maxBytes) {
        if (from > to) return List.of();
        int start = (int) (from - snapshotIndex - 1);
        int end = (int) (Math.min(to, from + max - 1) - snapshotIndex); // exclusive
        long sum = entries.get(start).sizeBytes();
        int stop = start + 1;
        while (stop < end) {
            sum += entries.get(stop).sizeBytes();
            if (sum > maxBytes) break;
            stop++;
        }
        return List.copyOf(entries.subList(start, stop));
    }

    /** The first index of the term of the entry at {@code index} (for fast back-off hints). */
    long firstIndexOfTermAt(long index) {
        long t = term(index);
        long i = index;
        while (i - 1 > snapshotIndex && term(i - 1) == t) i--;
        return i;
    }

    void append(Entry e) {
        if (e.index() != lastIndex() + 1) throw new IllegalStateException("append " + e + " after " + lastIndex());
        entries.add(e);
        bytes += e.sizeBytes();
    }

    /** Drops every entry from {@code index} on, so that a different suffix can replace it. */
    void truncateFrom(long index) {
        if (index <= committed) {
            throw new IllegalStateException("refusing to truncate committed entry " + index + " (commit " + committed + ")");
        }
        while (lastIndex() >= index) bytes -= entries.remove(entries.size() - 1).sizeBytes();
        unhandedFrom = Math.min(unhandedFrom, index);
        persisted = Math.min(persisted, index - 1);
    }

    void commitTo(long index) {
        if (index > committed) {
            if (index > lastIndex()) throw new IllegalStateException("commit " + index + " beyond last " + lastIndex());
            committed = index;
        }
    }

    /** The log writer made everything up to {@code index} durable, if the entry there still has {@code term}. */
    boolean persistedTo(long index, long term) {
        if (index > persisted && index < unhandedFrom && matchTerm(index, term)) {
            persisted = index;
            return true;
        }
        return false;
    }

    List<Entry> takeUnhanded() {
        if (unhandedFrom > lastIndex()) return List.of();
        List<Entry> out = slice(unhandedFrom, lastIndex(), Integer.MAX_VALUE);
        unhandedFrom = lastIndex() + 1;
        return out;
    }

    /** Committed, durable entries not yet handed to the state machine; marks them handed. */
    List<Entry> takeCommittedToApply() {
        long upTo = Math.min(committed, persisted);
        if (upTo <= applied) return List.of();
        List<Entry> out = slice(applied + 1, upTo, Integer.MAX_VALUE);
        applied = upTo;
        return out;
    }

    /** Forgets entries up to {@code index}, which a snapshot now covers. */
    void compactTo(long index) {
        if (index <= snapshotIndex) return;
        if (index > applied) throw new IllegalStateException("compact " + index + " beyond applied " + applied);
        long term = term(index);
        List<Entry> covered = entries.subList(0, (int) (index - snapshotIndex));
        bytes -= Entry.sizeBytes(covered);
        covered.clear();
        snapshotIndex = index;
        snapshotTerm = term;
    }

    /** Replaces the whole log by a snapshot received from the leader. */
    void restore(SnapshotMeta meta) {
        entries.clear();
        bytes = 0;
        snapshotIndex = meta.index();
        snapshotTerm = meta.term();
        committed = meta.index();
        applied = meta.index();
        persisted = meta.index();
        unhandedFrom = meta.index() + 1;
    }
}
