package dev.raftkv.node;

import dev.raftkv.kv.KvCodec;
import dev.raftkv.kv.KvLimits;
import dev.raftkv.raft.Entry;
import dev.raftkv.raft.RaftConfig;

/**
 * What one Raft frame must carry, checked before a node starts: the largest log entry the key-value
 * limits allow (a compare-and-set with two values of {@code --max-value-bytes}), and the leader's
 * budget for one AppendEntries. A leader sends an entry larger than its budget alone, but it cannot
 * split one: an entry the transport cannot carry would leave every follower behind it stuck for good.
 */
public final class FrameBudget {
    private FrameBudget() {
    }

    /** The bytes the largest entry of {@code limits} is counted as ({@link Entry#sizeBytes()}). */
    public static long largestEntryBytes(KvLimits limits) {
        return Entry.HEADER_BYTES + KvCodec.maxCommandBytes(limits);
    }

    /** The largest {@code --max-value-bytes} whose entries fit in {@code maxEntryBytes}, with keys of {@code maxKeyBytes}. */
    public static int largestValueBytes(int maxKeyBytes, long maxEntryBytes) {
        long room = maxEntryBytes - largestEntryBytes(new KvLimits(maxKeyBytes, 0));
        return (int) Math.max(-1, Math.min(Integer.MAX_VALUE, room / 2));
    }

    /**
     * @param maxEntryBytes what the transport carries of entries in one AppendEntries
     * @throws IllegalArgumentException saying which setting to lower, and to what
     */
    public static void check(KvLimits limits, RaftConfig raft, long maxEntryBytes) {
        long entry = largestEntryBytes(limits);
        if (entry > maxEntryBytes) {
            int largest = largestValueBytes(limits.maxKeyBytes(), maxEntryBytes);
            throw new IllegalArgumentException("--max-value-bytes " + limits.maxValueBytes() + " is too large for one Raft frame:"
                    + " a compare-and-set carries two values, so with --max-key-bytes " + limits.maxKeyBytes()
                    + " its log entry takes up to " + entry + " bytes, and one AppendEntries carries at most " + maxEntryBytes
                    + " bytes of entries" + (largest < 0 ? "; lower --max-key-bytes"
                    : "; the largest --max-value-bytes that fits is " + largest));
        }
        if (raft.maxBytesPerMessage() > maxEntryBytes) {
            throw new IllegalArgumentException("the leader's AppendEntries budget of " + raft.maxBytesPerMessage()
                    + " bytes is more than one frame carries (" + maxEntryBytes + " bytes of entries)");
        }
    }
}
