package dev.raftkv.node;

import java.util.Locale;

/** Which {@link dev.raftkv.kv.store.KvStore} a node keeps its keys in: {@code --store memory|rocksdb}. */
public enum StoreKind {
    /** A sorted map on the heap, restored from the latest snapshot and the log at every start (the default). */
    MEMORY,
    /** RocksDB in {@code <data-dir>/kv}: data larger than memory, and a restart replays only the log RocksDB has not seen. */
    ROCKSDB;

    public static StoreKind parse(String s) {
        for (StoreKind k : values()) {
            if (k.name().equalsIgnoreCase(s)) return k;
        }
        throw new IllegalArgumentException("--store must be memory or rocksdb, not '" + s + "'");
    }

    public String flag() {
        return name().toLowerCase(Locale.ROOT);
    }
}
