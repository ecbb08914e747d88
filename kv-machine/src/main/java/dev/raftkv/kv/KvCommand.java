package dev.raftkv.kv;

/**
 * A write to the key-value machine. {@code clientId} and {@code seq} identify the request so that a
 * retried one is applied once and answered with its first result; a write with an empty client id is
 * not de-duplicated (a node's own HTTP writes, which are never retried with the same identity).
 */
public sealed interface KvCommand {
    String clientId();

    long seq();

    String key();

    record Put(String clientId, long seq, String key, byte[] value) implements KvCommand {
    }

    record Delete(String clientId, long seq, String key) implements KvCommand {
    }

    /** Sets {@code value} only if the current value equals {@code expect} (null: the key is absent). */
    record Cas(String clientId, long seq, String key, byte[] expect, byte[] value) implements KvCommand {
    }
}
