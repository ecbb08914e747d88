package dev.raftkv.kv;

import java.nio.charset.StandardCharsets;

/**
 * Sizes a request may have. Checked before a command reaches the log, so that an oversized one is
 * refused with a clear error instead of slowing every replica down.
 */
public record KvLimits(int maxKeyBytes, int maxValueBytes) {
    public static final KvLimits DEFAULT = new KvLimits(4 * 1024, 1024 * 1024);
    /**
     * The longest client id (UTF-8 bytes) a write may carry. Every id with a write in the de-duplication
     * window has an entry in the session table, so its length is bounded like a key's; KvClient's ids are
     * about 50 bytes. Not a per-node setting: every replica must agree on what was applied.
     */
    public static final int MAX_CLIENT_ID_BYTES = 128;

    public KvLimits {
        if (maxKeyBytes < 1 || maxValueBytes < 0) {
            throw new IllegalArgumentException("limits must be positive: key " + maxKeyBytes + ", value " + maxValueBytes);
        }
    }

    /** Why a request was refused: {@code tooLarge} requests get HTTP 413, the others 400. */
    public static final class Violation extends RuntimeException {
        private final boolean tooLarge;

        public Violation(String message, boolean tooLarge) {
            super(message);
            this.tooLarge = tooLarge;
        }

        public boolean tooLarge() {
            return tooLarge;
        }
    }

    public void checkKey(String key) {
        if (key == null || key.isEmpty()) throw new Violation("the key is empty", false);
        int bytes = key.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > maxKeyBytes) {
            throw new Violation("the key has " + bytes + " bytes; the limit is " + maxKeyBytes, true);
        }
        for (int i = 0; i < key.length(); i++) {
            if (Character.isISOControl(key.charAt(i))) {
                throw new Violation("the key contains a control character at position " + i, false);
            }
        }
    }

    public void checkValue(byte[] value) {
        if (value != null && value.length > maxValueBytes) {
            throw new Violation("the value has " + value.length + " bytes; the limit is " + maxValueBytes
                    + " (raise it with --max-value-bytes)", true);
        }
    }

    public void checkClientId(String clientId) {
        int bytes = clientId.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_CLIENT_ID_BYTES) {
            throw new Violation("the client id has " + bytes + " bytes; the limit is " + MAX_CLIENT_ID_BYTES, false);
        }
    }

    public void check(KvCommand c) {
        checkClientId(c.clientId());
        checkKey(c.key());
        if (c instanceof KvCommand.Put p) checkValue(p.value());
        if (c instanceof KvCommand.Cas cas) {
            checkValue(cas.expect());
            checkValue(cas.value());
        }
    }
}
