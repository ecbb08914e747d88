package dev.raftkv.raft;

import java.util.Arrays;

/** One log entry. {@code data} is opaque to the core; a NOOP carries none. */
public record Entry(long term, long index, EntryType type, byte[] data) {
    private static final byte[] EMPTY = new byte[0];
    /**
     * What an entry costs besides its data, in memory and on the wire: term and index (8 bytes each),
     * type and data length, rounded up. Counting it keeps a run of empty entries from being free.
     */
    public static final int HEADER_BYTES = 24;

    public Entry {
        if (data == null) data = EMPTY;
    }

    public static Entry noop(long term, long index) {
        return new Entry(term, index, EntryType.NOOP, EMPTY);
    }

    public static Entry normal(long term, long index, byte[] data) {
        return new Entry(term, index, EntryType.NORMAL, data);
    }

    public static Entry config(long term, long index, ClusterConfig config) {
        return new Entry(term, index, EntryType.CONFIG, ClusterConfigCodec.encode(config));
    }

    /** The bytes this entry is counted as in the leader's message and in-flight budgets and in the log's size. */
    public long sizeBytes() {
        return HEADER_BYTES + (long) data.length;
    }

    /** The sum of {@link #sizeBytes()} over {@code entries}. */
    public static long sizeBytes(java.util.List<Entry> entries) {
        long sum = 0;
        for (Entry e : entries) sum += e.sizeBytes();
        return sum;
    }

    /** A copy of this entry placed at another term and index (used by the leader when it appends a proposal). */
    public Entry at(long newTerm, long newIndex) {
        return new Entry(newTerm, newIndex, type, data);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Entry e && e.term == term && e.index == index && e.type == type && Arrays.equals(e.data, data);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(term) * 31 + Long.hashCode(index) * 17 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "Entry[" + index + "@" + term + " " + type + " " + data.length + "B]";
    }
}
