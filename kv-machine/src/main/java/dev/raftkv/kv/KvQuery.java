package dev.raftkv.kv;

/** A read of the key-value machine's applied state (it never reaches the log). */
public sealed interface KvQuery {
    record Get(String key) implements KvQuery {
    }

    /**
     * A page of at most {@code limit} keys of the range in key order, within {@link KvLimits#MAX_PAGE_BYTES};
     * {@code countOnly} answers how many keys the whole range holds instead.
     */
    record Range(KeyRange range, int limit, boolean keysOnly, boolean countOnly) implements KvQuery {
    }
}
