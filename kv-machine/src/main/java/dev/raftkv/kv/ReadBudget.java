package dev.raftkv.kv;

/** The bytes of keys and values an answer may still carry; one per page, or one per transaction for all its reads. */
final class ReadBudget {
    private long left;

    ReadBudget(long bytes) {
        this.left = bytes;
    }

    boolean allows(long bytes) {
        return bytes <= left;
    }

    void spend(long bytes) {
        left -= bytes;
    }
}
