package dev.raftkv.kv.store;

import dev.raftkv.raft.server.Snapshot;
import dev.raftkv.raft.server.SnapshotWriter;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * The store in memory (the default, {@code --store memory}): a sorted map in unsigned byte order, the
 * session table and its age index. Nothing is durable: a restart restores the latest snapshot
 * ({@link MemorySnapshotFormat}) and replays the log after it.
 */
public final class MemoryKvStore implements KvStore {
    private final TreeMap<byte[], Versioned> data = new TreeMap<>(Arrays::compareUnsigned);
    private final Map<String, Session> sessions = new HashMap<>();
    /** Sessions by {@link Session#lastIndex}, unique because each write updates one session at its own index. */
    private final TreeMap<Long, String> byAge = new TreeMap<>();
    private KvMeta meta = KvMeta.EMPTY;
    /** Keys and values held, for the node's memory budget; the overhead per entry is an estimate. */
    private long approximateBytes;
    /** What {@link #fullness} reports, published by the apply thread after each batch for the threads that take writes. */
    private volatile long publishedBytes;
    private static final int ENTRY_OVERHEAD = 120;
    /** The share of the heap the keys may take; the rest is the Raft log, buffers, a snapshot being read, and GC's room. */
    static final double HEAP_SHARE = 0.5;

    @Override
    public KvMeta meta() {
        return meta;
    }

    @Override
    public Versioned get(byte[] key) {
        return data.get(key);
    }

    @Override
    public Cursor<Entry> scan(byte[] startInclusive, byte[] endExclusive) {
        NavigableMap<byte[], Versioned> range = data;
        if (startInclusive != null) range = range.tailMap(startInclusive, true);
        if (endExclusive != null) range = range.headMap(endExclusive, false);
        return cursor(range.entrySet().stream().map(e -> new Entry(e.getKey(), e.getValue())).iterator());
    }

    /** A cursor over a plain iterator: nothing to release. */
    private static <T> Cursor<T> cursor(Iterator<T> it) {
        return new Cursor<>() {
            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public T next() {
                return it.next();
            }

            @Override
            public void close() {
            }
        };
    }

    @Override
    public Session session(String clientId) {
        return sessions.get(clientId);
    }

    @Override
    public Cursor<Session> sessionsByAge() {
        return cursor(byAge.values().stream().map(sessions::get).iterator());
    }

    @Override
    public void write(KvBatch batch) {
        for (KvBatch.DeletedRange r : batch.deletedRanges()) {
            NavigableMap<byte[], Versioned> tail = data.tailMap(r.start(), true);
            NavigableMap<byte[], Versioned> doomed = r.end() == null ? tail : tail.headMap(r.end(), false);
            doomed.forEach((key, old) -> approximateBytes -= weight(key, old));
            doomed.clear();
        }
        batch.data().forEach((key, value) -> {
            Versioned old = value == null ? data.remove(key) : data.put(key, value);
            if (old != null) approximateBytes -= weight(key, old);
            if (value != null) approximateBytes += weight(key, value);
        });
        batch.sessions().forEach((id, change) -> {
            if (change.before() != null) byAge.remove(change.before().lastIndex());
            if (change.after() == null) {
                sessions.remove(id);
            } else {
                sessions.put(id, change.after());
                byAge.put(change.after().lastIndex(), id);
            }
        });
        meta = batch.meta();
        publishedBytes = approximateBytes();
    }

    /**
     * Why a write that adds data should be refused now (null if it need not): the keys and values take more
     * than half the heap. A clean refusal long before the heap runs out, instead of a node that slows to a
     * crawl in garbage collection and then dies; any thread may ask. Deletes are never refused.
     */
    public String fullness() {
        return fullness(Runtime.getRuntime().maxMemory());
    }

    String fullness(long maxHeapBytes) {
        long budget = (long) (maxHeapBytes * HEAP_SHARE);
        long held = publishedBytes;
        if (held < budget) return null;
        return "the memory store is full: its keys and values take about " + held / (1024 * 1024) + " MiB, half of this node's "
                + maxHeapBytes / (1024 * 1024) + " MiB heap; delete keys, give the nodes a larger heap, "
                + "or run them with --store rocksdb for data larger than memory";
    }

    private static long weight(byte[] key, Versioned v) {
        return key.length + (long) v.value().length + ENTRY_OVERHEAD;
    }

    /** About how many bytes of heap the keys and values take. */
    public long approximateBytes() {
        return approximateBytes + meta.sessionBytes();
    }

    public int size() {
        return data.size();
    }

    @Override
    public void snapshot(SnapshotWriter writer) throws IOException {
        MemorySnapshotFormat.write(writer.newFile(Snapshot.DATA), meta, data, byAge.values().stream().map(sessions::get).toList());
    }

    /**
     * Replaces the state by the snapshot's, reading it as it streams in. The old state is dropped first, so
     * memory holds one map, not two; a snapshot that turns out malformed half way leaves this store
     * part-restored and throws, and the server stops rather than serve from it.
     */
    @Override
    public void restore(Snapshot snapshot) throws IOException {
        MemorySnapshotFormat.checkIsStream(snapshot);
        data.clear();
        sessions.clear();
        byAge.clear();
        approximateBytes = 0;
        meta = KvMeta.EMPTY;
        try (InputStream in = snapshot.open(Snapshot.DATA)) {
            meta = MemorySnapshotFormat.read(in, (key, value) -> {
                data.put(key, value);
                approximateBytes += weight(key, value);
            }, s -> {
                sessions.put(s.clientId(), s);
                byAge.put(s.lastIndex(), s.clientId());
            });
        }
        publishedBytes = approximateBytes();
    }

    @Override
    public String describe() {
        return "memory store (a sorted map on the heap; restored from the latest snapshot and the log at start)";
    }

    @Override
    public void close() {
    }
}
