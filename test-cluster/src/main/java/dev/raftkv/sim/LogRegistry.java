package dev.raftkv.sim;

import dev.raftkv.raft.Entry;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Global knowledge the checkers compare each node against.
 * Log Matching: every (index, term) ever written by any node names one entry, with one previous term —
 * by induction, two logs that share an (index, term) share the whole prefix.
 * Committed and applied entries: once any node commits or applies an entry at an index, no node
 * may ever commit or apply another there.
 */
final class LogRegistry {
    private record Written(int dataHash, long prevTerm, String firstWriter) {
    }

    private record Fixed(long term, int dataHash, String firstNode) {
    }

    private final Map<Long, Map<Long, Written>> written = new HashMap<>();
    private final Map<Long, Fixed> committed = new HashMap<>();
    private final Map<Long, Fixed> applied = new HashMap<>();
    private final Map<Long, String> leaderOfTerm = new HashMap<>();
    private final Consumer<String> violation;
    /** Told of each applied index the first time any node applies it: in index order, as every node applies in order. */
    private BiConsumer<Long, byte[]> firstApplied = (index, data) -> { };

    LogRegistry(Consumer<String> violation) {
        this.violation = violation;
    }

    void onFirstApplied(BiConsumer<Long, byte[]> listener) {
        this.firstApplied = listener;
    }

    void written(String node, Entry e, long prevTerm) {
        Map<Long, Written> byTerm = written.computeIfAbsent(e.index(), i -> new HashMap<>());
        Written w = byTerm.get(e.term());
        int hash = Arrays.hashCode(e.data()) * 31 + e.type().ordinal();
        if (w == null) {
            byTerm.put(e.term(), new Written(hash, prevTerm, node));
        } else if (w.dataHash() != hash || w.prevTerm() != prevTerm) {
            violation.accept("log matching: " + node + " wrote " + e + " after term " + prevTerm + ", but "
                    + w.firstWriter() + " wrote index " + e.index() + " term " + e.term() + " after term " + w.prevTerm()
                    + (w.dataHash() != hash ? " with different data" : ""));
        }
    }

    void committed(String node, Entry e) {
        check("committed", committed, node, e);
    }

    void applied(String node, long index, long term, byte[] data) {
        boolean first = !applied.containsKey(index);
        check("applied", applied, node, new Entry(term, index, dev.raftkv.raft.EntryType.NORMAL, data));
        if (first) firstApplied.accept(index, data);
    }

    private void check(String what, Map<Long, Fixed> fixed, String node, Entry e) {
        int hash = Arrays.hashCode(e.data());
        Fixed f = fixed.get(e.index());
        if (f == null) {
            fixed.put(e.index(), new Fixed(e.term(), hash, node));
        } else if (f.term() != e.term() || f.dataHash() != hash) {
            violation.accept(what + " entries differ at index " + e.index() + ": " + f.firstNode() + " has term "
                    + f.term() + ", " + node + " has " + e);
        }
    }

    void leader(String node, long term) {
        String before = leaderOfTerm.putIfAbsent(term, node);
        if (before != null && !before.equals(node)) {
            violation.accept("two leaders in term " + term + ": " + before + " and " + node);
        }
    }
}
