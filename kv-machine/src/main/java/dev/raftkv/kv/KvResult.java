package dev.raftkv.kv;

import java.util.List;

/** What the key-value machine answers. */
public sealed interface KvResult {
    /** A put was applied at this log index. */
    record Written(long index) implements KvResult {
    }

    /** A delete applied at {@code revision} (the entry's index, also when there was nothing to delete). */
    record Deleted(boolean existed, long revision) implements KvResult {
    }

    /**
     * A compare-and-set applied at {@code revision}; {@code current} is the value found when the swap failed (null:
     * absent). A revision of 0 is an answer kept in the session table by a build that did not record it.
     */
    record CasDone(boolean ok, byte[] current, long revision) implements KvResult {
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
