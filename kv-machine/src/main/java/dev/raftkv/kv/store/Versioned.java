package dev.raftkv.kv.store;

/**
 * A stored value with its history: {@code createRevision} is the log index of the write that created the
 * key (since it last did not exist), {@code modRevision} that of the latest write, and {@code version} the
 * number of writes since creation (1 after the first).
 */
public record Versioned(byte[] value, long createRevision, long modRevision, long version) {
    public Versioned {
        if (value == null) throw new IllegalArgumentException("a stored value is never null");
    }

    /** The value a write at {@code index} leaves: created now if {@code before} is null, else one version more. */
    public static Versioned written(Versioned before, byte[] value, long index) {
        return before == null ? new Versioned(value, index, index, 1)
                : new Versioned(value, before.createRevision, index, before.version + 1);
    }
}
