package dev.raftkv.raft.server;

import dev.raftkv.raft.SnapshotMeta;

import java.io.IOException;
import java.io.InputStream;

/**
 * A stored snapshot: its description and the state machine's bytes, read as a stream as often as
 * needed (to restore, to send to a follower). The bytes are not held by this object: a file-based
 * store opens its file on each {@link #open}, so a snapshot larger than the heap is fine.
 */
public interface Snapshot {
    SnapshotMeta meta();

    /** How many bytes {@link #open} yields. */
    long size();

    /** CRC32C of those bytes, as recorded when the snapshot was written; a receiver checks what arrived against it. */
    long crc32c();

    /** A fresh stream from the first byte; the caller closes it. */
    InputStream open() throws IOException;

    /** A snapshot held in memory, for in-memory stores and tests. */
    static Snapshot ofBytes(SnapshotMeta meta, byte[] data) {
        return new BytesSnapshot(meta, data);
    }
}
