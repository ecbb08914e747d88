package dev.raftkv.kv;

import java.util.List;

/** What the key-value machine answers. */
public sealed interface KvResult {
    /** A put was applied at this log index. */
    record Written(long index) implements KvResult {
    }

    record Deleted(boolean existed) implements KvResult {
    }

    /** {@code current} is the value found when the swap failed (null: absent). */
    record CasDone(boolean ok, byte[] current) implements KvResult {
    }

    /** A read; {@code value} is null when the key is absent. */
    record Value(byte[] value) implements KvResult {
    }

    /** A delete-range applied at {@code revision} removed {@code count} keys. */
    record DeletedRange(long count, long revision) implements KvResult {
    }

    /** A key with its value (null when only keys were asked for) and history. */
    record Item(byte[] key, byte[] value, long createRevision, long modRevision, long version) {
    }

    /**
     * A page of a range in key order, as of {@code revision}; {@code next} is where the following page starts,
     * null when this page ends the range.
     */
    record Page(List<Item> items, byte[] next, long revision) implements KvResult {
        public Page {
            items = List.copyOf(items);
        }
    }

    /** How many keys a range holds, as of {@code revision}. */
    record Count(long count, long revision) implements KvResult {
    }

    /** Which branch of a transaction ran ({@code succeeded}: the compares held), at {@code revision}, and each operation's result. */
    record TxnDone(boolean succeeded, long revision, List<KvResult> results) implements KvResult {
        public TxnDone {
            results = List.copyOf(results);
        }
    }
}
