package dev.raftkv.kv;

import java.util.List;

/**
 * A write to the key-value machine. {@code clientId} and {@code seq} identify the request so that a
 * retried one is applied once and answered with its first result; a write with an empty client id is
 * not de-duplicated (a node's own HTTP writes, which are never retried with the same identity).
 */
public sealed interface KvCommand {
    String clientId();

    long seq();

    /** A command on one key. */
    sealed interface OnKey extends KvCommand {
        String key();
    }

    record Put(String clientId, long seq, String key, byte[] value) implements OnKey {
    }

    record Delete(String clientId, long seq, String key) implements OnKey {
    }

    /** Sets {@code value} only if the current value equals {@code expect} (null: the key is absent). */
    record Cas(String clientId, long seq, String key, byte[] expect, byte[] value) implements OnKey {
    }

    /** Deletes every key in the range, in one log entry. */
    record DeleteRange(String clientId, long seq, KeyRange range) implements KvCommand {
    }

    /**
     * If every compare holds, applies {@code success}, else {@code failure}: either way in one log entry, at one
     * revision, each operation seeing the ones before it.
     */
    record Txn(String clientId, long seq, List<Compare> compares, List<TxnOp> success,
               List<TxnOp> failure) implements KvCommand {
        public Txn {
            compares = List.copyOf(compares);
            success = List.copyOf(success);
            failure = List.copyOf(failure);
        }
    }
}
