package dev.raftkv.kv;

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
}
