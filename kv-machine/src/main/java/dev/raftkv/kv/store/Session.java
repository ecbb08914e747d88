package dev.raftkv.kv.store;

import java.nio.charset.StandardCharsets;

/**
 * One client's de-duplication record: the latest seq it wrote, that write's result (encoded by
 * {@link dev.raftkv.kv.KvCodec#encodeResult}), and when it was last active: the log index of that write and
 * the session clock then (the leader-stamped time, never a node's own clock).
 */
public record Session(String clientId, long seq, byte[] result, long lastIndex, long lastTime) {
    /** Room for the record's fields and its place in the tables, beside the id and result. */
    private static final int OVERHEAD = 64;

    /** What the session weighs in the table's byte budget; the same on every replica. */
    public long weight() {
        return clientId.getBytes(StandardCharsets.UTF_8).length + (long) result.length + OVERHEAD;
    }
}
