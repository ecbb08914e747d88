package dev.raftkv.raft.log;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Stored data is damaged in a way a crash cannot explain: a bad record with valid records after it,
 * a bad record in an older segment, a gap in indexes, or a damaged hard-state file. Recovery refuses
 * to go on rather than drop data that may have been acknowledged; an operator has to decide.
 */
public final class CorruptLogException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final long offset;

    public CorruptLogException(Path file, long offset, String what) {
        super(file + " at byte " + offset + ": " + what);
        this.file = file;
        this.offset = offset;
    }

    public Path file() {
        return file;
    }

    /** Byte offset in {@link #file()} where the damage starts. */
    public long offset() {
        return offset;
    }
}
