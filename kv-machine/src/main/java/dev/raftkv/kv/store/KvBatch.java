package dev.raftkv.kv.store;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * The changes of one applied batch of log entries, written by a store in one atomic step: keys set or
 * deleted, sessions created, replaced or dropped, and the new {@link KvMeta}. Also the view of the batch
 * so far for the commands still applying in it (a cas after a put in the same batch sees the put).
 */
public final class KvBatch {
    /** A session change: {@code before} as the store holds it (null if new), {@code after} (null if dropped). */
    public record SessionChange(Session before, Session after) {
    }

    /** Key to its new value; a null value deletes the key. In unsigned byte order. */
    private final TreeMap<byte[], Versioned> data = new TreeMap<>(Arrays::compareUnsigned);
    private final Map<String, SessionChange> sessions = new LinkedHashMap<>();
    private KvMeta meta;

    public void put(byte[] key, Versioned value) {
        data.put(key, value);
    }

    public void delete(byte[] key) {
        data.put(key, null);
    }

    public boolean touches(byte[] key) {
        return data.containsKey(key);
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
        return data.isEmpty() && sessions.isEmpty();
    }
}
