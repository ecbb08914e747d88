package dev.raftkv.kv;

import dev.raftkv.kv.store.KvBatch;
import dev.raftkv.kv.store.KvMeta;
import dev.raftkv.kv.store.KvStore;
import dev.raftkv.kv.store.MemoryKvStore;
import dev.raftkv.kv.store.Session;
import dev.raftkv.kv.store.Versioned;
import dev.raftkv.raft.InjectedBug;
import dev.raftkv.raft.server.Snapshot;
import dev.raftkv.raft.server.SnapshotWriter;
import dev.raftkv.raft.server.StateMachine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * The key-value machine over a {@link KvStore}: the same logic whichever store holds the data, so every
 * replica computes the same results whatever store it runs. Each applied batch of log entries becomes one
 * {@link KvBatch}, which the store writes atomically with the new applied index ({@link #endBatch}); a
 * command in a batch sees the writes of the commands before it. Every change's revision is the log index
 * that applied it ({@link Versioned}).
 *
 * <p>De-duplication: a write carrying a client id and seq that its session has seen already (a retry) is
 * answered with the session's stored result and not applied again; sessions expire as
 * {@link SessionPolicy} says, by the leader-stamped session clock, deterministically.
 */
public final class KvStateMachine implements StateMachine, AutoCloseable {
    private final KvStore store;
    private final SessionPolicy policy;
    private KvBatch batch = new KvBatch();
    /** The meta as the batch being applied will leave it. */
    private KvMeta pending;
    private final boolean scanSkipsKey;

    /** The in-memory machine (the default store). */
    public KvStateMachine() {
        this(new MemoryKvStore());
    }

    public KvStateMachine(KvStore store) {
        this(store, SessionPolicy.DEFAULT);
    }

    public KvStateMachine(KvStore store, SessionPolicy policy) {
        this(store, policy, Set.of());
    }

    /** @param bugs injected bugs (the simulator's controls); only {@link InjectedBug#SCAN_SKIPS_KEY} acts here */
    public KvStateMachine(KvStore store, SessionPolicy policy, Set<InjectedBug> bugs) {
        this.store = store;
        this.policy = policy;
        this.pending = store.meta();
        this.scanSkipsKey = bugs.contains(InjectedBug.SCAN_SKIPS_KEY);
    }

    public KvStore store() {
        return store;
    }

    @Override
    public Object apply(long index, byte[] command) {
        if (index <= store.meta().appliedIndex()) return null; // replayed after a restart: the store holds it already
        KvCodec.Entry entry = KvCodec.decode(command);
        KvCommand c = entry.command();
        long clock = Math.max(pending.sessionClock(), entry.proposedAtMillis());
        pending = new KvMeta(index, clock, pending.sessionCount(), pending.sessionBytes());
        boolean deduplicated = !c.clientId().isEmpty();
        Session session = deduplicated ? session(c.clientId()) : null;
        if (session != null && c.seq() <= session.seq()) {
            // a retry of what we already applied (or an even older request): never apply twice
            return KvCodec.decodeResult(session.result());
        }
        KvResult result = execute(c, index);
        if (deduplicated) {
            putSession(c.clientId(), new Session(c.clientId(), c.seq(), KvCodec.encodeResult(result), index, clock));
        }
        return result;
    }

    private KvResult execute(KvCommand c, long index) {
        if (c instanceof KvCommand.Put p) return put(p.key(), p.value(), index);
        if (c instanceof KvCommand.Delete d) return delete(d.key(), index);
        if (c instanceof KvCommand.DeleteRange r) return new KvResult.DeletedRange(deleteRange(r.range()), index);
        if (c instanceof KvCommand.Txn t) return transaction(t, index);
        KvCommand.Cas cas = (KvCommand.Cas) c;
        byte[] key = utf8(cas.key());
        Versioned current = get(key);
        byte[] now = current == null ? null : current.value();
        boolean ok = Arrays.equals(now, cas.expect());
        if (ok) batch.put(key, Versioned.written(current, cas.value(), index));
        return new KvResult.CasDone(ok, ok ? cas.value() : now, index);
    }

    private KvResult put(String key, byte[] value, long index) {
        byte[] k = utf8(key);
        batch.put(k, Versioned.written(get(k), value, index));
        return new KvResult.Written(index);
    }

    private KvResult delete(String key, long index) {
        byte[] k = utf8(key);
        boolean existed = get(k) != null;
        if (existed) batch.delete(k);
        return new KvResult.Deleted(existed, index);
    }

    /**
     * Deletes every key of the range as the batch so far leaves it; how many went. Counted by walking the range,
     * deleted as one range: the batch holds one entry for it however many keys go.
     */
    private long deleteRange(KeyRange range) {
        if (range.isEmpty()) return 0;
        long n = 0;
        try (BatchScan keys = new BatchScan(store, batch, range)) {
            for (; keys.hasNext(); keys.next()) n++;
        }
        if (n > 0) batch.deleteRange(range.start(), range.end());
        return n;
    }

    /** Every compare against the state before the transaction, then one branch, each operation seeing the ones before. */
    private KvResult transaction(KvCommand.Txn t, long index) {
        boolean succeeded = t.compares().stream().allMatch(cmp -> cmp.holds(get(utf8(cmp.key()))));
        ReadBudget budget = new ReadBudget(KvLimits.MAX_PAGE_BYTES);
        List<KvResult> results = new ArrayList<>();
        for (TxnOp op : succeeded ? t.success() : t.failure()) {
            if (op instanceof TxnOp.Put p) {
                results.add(put(p.key(), p.value(), index));
            } else if (op instanceof TxnOp.Delete d) {
                results.add(delete(d.key(), index));
            } else if (op instanceof TxnOp.DeleteRange r) {
                results.add(new KvResult.DeletedRange(deleteRange(r.range()), index));
            } else if (op instanceof TxnOp.Get g) {
                Versioned v = get(utf8(g.key()));
                if (v != null) budget.spend(v.value().length);
                results.add(new KvResult.Value(v == null ? null : v.value()));
            } else {
                TxnOp.Range r = (TxnOp.Range) op;
                try (BatchScan entries = new BatchScan(store, batch, r.range())) {
                    results.add(Pages.page(entries, r.limit(), r.keysOnly(), budget, index));
                }
            }
        }
        return new KvResult.TxnDone(succeeded, index, results);
    }

    private static byte[] utf8(String key) {
        return key.getBytes(StandardCharsets.UTF_8);
    }

    /** The key as the batch so far leaves it. */
    private Versioned get(byte[] key) {
        return batch.touches(key) ? batch.get(key) : store.get(key);
    }

    private Session session(String clientId) {
        return batch.touchesSession(clientId) ? batch.session(clientId) : store.session(clientId);
    }

    private void putSession(String clientId, Session after) {
        Session before = session(clientId);
        long count = pending.sessionCount() + (before == null ? 1 : 0) - (after == null ? 1 : 0);
        long bytes = pending.sessionBytes() - (before == null ? 0 : before.weight()) + (after == null ? 0 : after.weight());
        pending = new KvMeta(pending.appliedIndex(), pending.sessionClock(), count, bytes);
        batch.putSession(clientId, store.session(clientId), after);
    }

    @Override
    public void endBatch(long lastIndex) {
        if (lastIndex <= store.meta().appliedIndex()) return; // replayed after a restart
        pending = new KvMeta(lastIndex, pending.sessionClock(), pending.sessionCount(), pending.sessionBytes());
        expireSessions();
        batch.meta(pending);
        store.write(batch);
        batch = new KvBatch();
    }

    /**
     * Drops the least recently active sessions while they are past their time or the table is over its
     * bounds. Sessions written in this batch are the newest of all, so the walk stops before them.
     */
    private void expireSessions() {
        try (KvStore.Cursor<Session> oldest = store.sessionsByAge()) {
            while (oldest.hasNext()) {
                Session s = oldest.next();
                if (batch.touchesSession(s.clientId())) continue;
                boolean expired = pending.sessionClock() - s.lastTime() > policy.ttlMillis();
                boolean over = pending.sessionCount() > policy.maxSessions() || pending.sessionBytes() > policy.maxBytes();
                if (!expired && !over) return;
                putSession(s.clientId(), null);
            }
        }
    }

    @Override
    public long durableIndex() {
        return store.meta().appliedIndex();
    }

    @Override
    public Object query(byte[] query) {
        KvQuery q = KvCodec.decodeQuery(query);
        if (q instanceof KvQuery.Get g) {
            Versioned v = store.get(utf8(g.key()));
            return new KvResult.Value(v == null ? null : v.value());
        }
        KvQuery.Range r = (KvQuery.Range) q;
        long revision = store.meta().appliedIndex();
        try (KvStore.Cursor<KvStore.Entry> entries = new BatchScan(store, batch, r.range())) {
            if (r.countOnly()) {
                long n = 0;
                for (; entries.hasNext(); entries.next()) n++;
                return new KvResult.Count(n, revision);
            }
            KvResult.Page page = Pages.page(entries, r.limit(), r.keysOnly(), new ReadBudget(KvLimits.MAX_PAGE_BYTES), revision);
            if (scanSkipsKey && page.items().size() > 1) {
                List<KvResult.Item> items = new ArrayList<>(page.items());
                items.remove(1);
                return new KvResult.Page(items, page.next(), revision);
            }
            return page;
        }
    }

    /** Called on the apply thread between batches, so the store is consistent at its applied index. */
    @Override
    public void snapshot(SnapshotWriter writer) throws IOException {
        store.snapshot(writer);
    }

    @Override
    public void restore(Snapshot snapshot) throws IOException {
        batch = new KvBatch();
        store.restore(snapshot);
        pending = store.meta();
    }

    @Override
    public void close() {
        store.close();
    }
}
