package dev.raftkv.raft;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The memberships one node knows: the one its snapshot holds, and one per CONFIG entry in its log after
 * the snapshot. The latest rules at once, committed or not (Raft dissertation 4.1), so a truncated
 * CONFIG entry takes its membership with it. Owned by one {@link RaftNode}.
 */
final class Memberships {
    /** The membership as of the snapshot (or the node's starting membership). */
    private ClusterConfig base;
    private final TreeMap<Long, ClusterConfig> inLog = new TreeMap<>();

    Memberships(ClusterConfig base, List<Entry> entries) {
        this.base = base;
        entries.forEach(this::appended);
    }

    ClusterConfig latest() {
        return inLog.isEmpty() ? base : inLog.lastEntry().getValue();
    }

    /** The index of the CONFIG entry that made the latest membership; 0 if none is in the log. */
    long latestIndex() {
        return inLog.isEmpty() ? 0 : inLog.lastKey();
    }

    /** The membership in force once the log up to {@code index} is applied. */
    ClusterConfig at(long index) {
        Map.Entry<Long, ClusterConfig> e = inLog.floorEntry(index);
        return e == null ? base : e.getValue();
    }

    /** Returns true if the entry changed the membership. */
    boolean appended(Entry e) {
        if (e.type() != EntryType.CONFIG) return false;
        inLog.put(e.index(), ClusterConfigCodec.decode(e.data()));
        return true;
    }

    /** Returns true if a CONFIG entry was among those dropped. */
    boolean truncatedFrom(long index) {
        Map<Long, ClusterConfig> dropped = inLog.tailMap(index, true);
        boolean any = !dropped.isEmpty();
        dropped.clear();
        return any;
    }

    void compactedTo(long index) {
        base = at(index);
        inLog.headMap(index, true).clear();
    }

    void restored(ClusterConfig snapshotConfig) {
        base = snapshotConfig;
        inLog.clear();
    }
}
