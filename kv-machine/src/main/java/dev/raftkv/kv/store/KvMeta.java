package dev.raftkv.kv.store;

/**
 * What a store holds besides keys and sessions, written in the same atomic batch as they are: the index of
 * the last log entry applied, the session clock (the latest leader-stamped time seen), and the session
 * table's size, so that expiry needs no scan.
 */
public record KvMeta(long appliedIndex, long sessionClock, long sessionCount, long sessionBytes) {
    public static final KvMeta EMPTY = new KvMeta(0, 0, 0, 0);
}
