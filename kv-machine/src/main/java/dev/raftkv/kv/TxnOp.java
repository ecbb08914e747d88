package dev.raftkv.kv;

import java.util.Arrays;

/**
 * One operation of a transaction's branch. Each sees the effects of the ones before it in the branch; all of
 * them apply in one log entry, at one revision.
 */
public sealed interface TxnOp {
    record Put(String key, byte[] value) implements TxnOp {
        @Override
        public boolean equals(Object o) {
            return o instanceof Put p && key.equals(p.key) && Arrays.equals(value, p.value);
        }

        @Override
        public int hashCode() {
            return key.hashCode() * 31 + Arrays.hashCode(value);
        }
    }

    record Delete(String key) implements TxnOp {
    }

    record DeleteRange(KeyRange range) implements TxnOp {
    }

    record Get(String key) implements TxnOp {
    }

    /** At most {@code limit} keys of the range, from its start; {@code keysOnly} leaves the values out. */
    record Range(KeyRange range, int limit, boolean keysOnly) implements TxnOp {
    }
}
