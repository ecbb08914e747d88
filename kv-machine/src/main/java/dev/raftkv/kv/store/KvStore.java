package dev.raftkv.kv.store;

import dev.raftkv.raft.server.Snapshot;
import dev.raftkv.raft.server.SnapshotWriter;

import java.io.IOException;
import java.util.Iterator;

/**
 * Where the key-value machine keeps its state: keys (UTF-8 bytes, in unsigned byte order, which is code
 * point order) with their {@link Versioned} values, the session table, and the {@link KvMeta}. Changed only
 * by {@link #write}, one atomic batch per applied batch of log entries. Two implementations: in memory
 * ({@link MemoryKvStore}, the default) and on disk ({@link RocksKvStore}); one contract suite runs against
 * both. Used by the apply thread only.
 */
public interface KvStore extends AutoCloseable {
    /** What the last written batch left (for a store on disk: what survived the last restart). */
    KvMeta meta();

    /** The key's value, or null. */
    Versioned get(byte[] key);

    /**
     * The keys from {@code startInclusive} (null: the first) up to {@code endExclusive} (null: past the last),
     * in unsigned byte order, as of the last written batch. Close it.
     */
    Cursor<Entry> scan(byte[] startInclusive, byte[] endExclusive);

    /** The client's session, or null. */
    Session session(String clientId);

    /** Every session, least recently active (lowest {@link Session#lastIndex}) first. Close it. */
    Cursor<Session> sessionsByAge();

    /** Applies the batch atomically: all of it or, after a crash, none of it. */
    void write(KvBatch batch);

    /** Writes the whole state into a snapshot (a stream, or a RocksDB checkpoint's files). */
    void snapshot(SnapshotWriter writer) throws IOException;

    /** Replaces the whole state by a snapshot {@link #snapshot} wrote (on this store or another of its kind). */
    void restore(Snapshot snapshot) throws IOException;

    /** How the store is set up, for the node's start-up log. */
    String describe();

    @Override
    void close();

    /** A key and its value. */
    record Entry(byte[] key, Versioned value) {
    }

    /** An iterator over a store's contents that holds resources until closed. */
    interface Cursor<T> extends Iterator<T>, AutoCloseable {
        @Override
        void close();
    }
}
