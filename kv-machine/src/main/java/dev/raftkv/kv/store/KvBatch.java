package dev.raftkv.kv.store;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * The changes of one applied batch of log entries, written by a store in one atomic step: ranges of keys
 * deleted, keys set or deleted, sessions created, replaced or dropped, and the new {@link KvMeta}. Also the
 * view of the batch so far for the commands still applying in it (a cas after a put in the same batch sees
 * the put). A deleted range is kept as a range, never as its keys, so that deleting a million keys costs the
 * batch one entry whatever the store holds; a store applies the ranges first, then the keys (a key set in the
 * batch after a range went is newer than the range: {@link #deleteRange} drops what the batch set in it before).
 */
public final class KvBatch {
    /** A session change: {@code before} as the store holds it (null if new), {@code after} (null if dropped). */
    public record SessionChange(Session before, Session after) {
    }

    /** The keys from {@code start} up to {@code end} (exclusive; null: past the last), all deleted. */
    public record DeletedRange(byte[] start, byte[] end) {
        public boolean contains(byte[] key) {
            return Arrays.compareUnsigned(key, start) >= 0 && (end == null || Arrays.compareUnsigned(key, end) < 0);
        }
    }

    /** Key to its new value; a null value deletes the key. In unsigned byte order. */
    private final TreeMap<byte[], Versioned> data = new TreeMap<>(Arrays::compareUnsigned);
    private final List<DeletedRange> deletedRanges = new ArrayList<>();
    private final Map<String, SessionChange> sessions = new LinkedHashMap<>();
    private KvMeta meta;

    public void put(byte[] key, Versioned value) {
        data.put(key, value);
    }

    public void delete(byte[] key) {
        data.put(key, null);
    }

    /** Deletes every key from {@code start} up to {@code end} (exclusive; null: past the last); start before end. */
    public void deleteRange(byte[] start, byte[] end) {
        NavigableMap<byte[], Versioned> tail = data.tailMap(start, true);
        (end == null ? tail : tail.headMap(end, false)).clear();
        deletedRanges.add(new DeletedRange(start.clone(), end == null ? null : end.clone()));
    }

    public boolean touches(byte[] key) {
        return data.containsKey(key) || inDeletedRange(key);
    }

    public boolean inDeletedRange(byte[] key) {
        for (DeletedRange r : deletedRanges) {
            if (r.contains(key)) return true;
        }
        return false;
    }

    /** The ranges deleted, in the order they went. */
    public List<DeletedRange> deletedRanges() {
        return Collections.unmodifiableList(deletedRanges);
    }

    /** The key's value as this batch leaves it (null: deleted); only meaningful if {@link #touches}. */
    public Versioned get(byte[] key) {
        return data.get(key);
    }

    /** The sessions this batch changes, by client id. */
    public boolean touchesSession(String clientId) {
        return sessions.containsKey(clientId);
    }

    public Session session(String clientId) {
        SessionChange c = sessions.get(clientId);
        return c == null ? null : c.after();
    }

    /** Records {@code after} (null: drop it) for a session the store held as {@code storedBefore} (null: none). */
    public void putSession(String clientId, Session storedBefore, Session after) {
        SessionChange earlier = sessions.get(clientId);
        // the store still holds what it held before the first change of this batch
        sessions.put(clientId, new SessionChange(earlier != null ? earlier.before() : storedBefore, after));
    }

    public void meta(KvMeta meta) {
        this.meta = meta;
    }

    public NavigableMap<byte[], Versioned> data() {
        return Collections.unmodifiableNavigableMap(data);
    }

    public Map<String, SessionChange> sessions() {
        return Collections.unmodifiableMap(sessions);
    }

    public KvMeta meta() {
        return meta;
    }

    public boolean isEmpty() {
        return data.isEmpty() && sessions.isEmpty() && deletedRanges.isEmpty();
    }
}
