package dev.raftkv.node;

import dev.raftkv.client.ClientProtocol;
import dev.raftkv.kv.Compare;
import dev.raftkv.kv.KeyRange;
import dev.raftkv.kv.KvCodec;
import dev.raftkv.kv.KvCommand;
import dev.raftkv.kv.KvLimits;
import dev.raftkv.kv.KvQuery;
import dev.raftkv.kv.KvResult;
import dev.raftkv.kv.LogEntries;
import dev.raftkv.raft.InjectedBug;
import dev.raftkv.kv.TxnOp;
import dev.raftkv.raft.server.NotAppliedException;
import dev.raftkv.raft.server.OutcomeUnknownException;
import dev.raftkv.raft.server.RaftServer;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Key-value operations on one node, with the two failure kinds clients must tell apart:
 * {@link NotAppliedException} (definitely not applied: retry is safe) and
 * {@link OutcomeUnknownException} (proposed, no answer in time: it may still commit).
 */
public final class KvService {
    private final RaftServer server;
    private final KvLimits limits;
    private final Duration timeout;
    /**
     * Requests made through this service (HTTP) carry no client identity: they are never retried with the
     * same one, so they need no de-duplication, and one id shared by concurrent requests would be wrong
     * (a seq drawn first but proposed second would look like a retry and be dropped).
     */
    private static final String NO_CLIENT = "";

    /** Test only ({@link UnsafeControls#localReads}): every read is answered from this node's own state. */
    private final boolean unsafeLocalReads;
    /** Why the store takes no more data now, or null: the memory store near its share of the heap. */
    private final Supplier<String> storeFull;
    private final Set<InjectedBug> bugs;

    /** The server it proposes to: the HTTP API reads its published status for health and metrics. */
    RaftServer server() {
        return server;
    }

    public KvService(RaftServer server, KvLimits limits, Duration timeout) {
        this(server, limits, timeout, false, () -> null);
    }

    KvService(RaftServer server, KvLimits limits, Duration timeout, boolean unsafeLocalReads, Supplier<String> storeFull) {
        this(server, limits, timeout, unsafeLocalReads, storeFull, Set.of());
    }

    /** @param bugs injected bugs (test only, {@link UnsafeControls#bugs}); {@code TXN_NOT_ATOMIC} acts here */
    KvService(RaftServer server, KvLimits limits, Duration timeout, boolean unsafeLocalReads, Supplier<String> storeFull,
              Set<InjectedBug> bugs) {
        this.bugs = bugs;
        this.server = server;
        this.limits = limits;
        this.timeout = timeout;
        this.unsafeLocalReads = unsafeLocalReads;
        this.storeFull = storeFull;
    }

    public KvLimits limits() {
        return limits;
    }

    public CompletableFuture<KvResult> put(String key, byte[] value) {
        return write(new KvCommand.Put(NO_CLIENT, 0, key, value));
    }

    public CompletableFuture<KvResult> delete(String key) {
        return write(new KvCommand.Delete(NO_CLIENT, 0, key));
    }

    public CompletableFuture<KvResult> cas(String key, byte[] expect, byte[] value) {
        return write(new KvCommand.Cas(NO_CLIENT, 0, key, expect, value));
    }

    /**
     * Proposes a command; a command that was proposed but got no answer in time completes with OutcomeUnknown.
     * It is stamped with this node's clock: only a leader's proposal is accepted, so that is the leader-proposed
     * time the session table expires by (it never runs backwards there, whatever this clock does).
     */
    public CompletableFuture<KvResult> write(KvCommand command) {
        limits.check(command);
        // deleting is how a full store is emptied
        boolean deletes = command instanceof KvCommand.Delete || command instanceof KvCommand.DeleteRange;
        String full = deletes ? null : storeFull.get();
        if (full != null) throw new KvLimits.Violation(full, true);
        return propose(command).orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .handle((result, error) -> {
                    if (error == null) return (KvResult) result;
                    Throwable cause = unwrap(error);
                    if (cause instanceof TimeoutException) {
                        throw new OutcomeUnknownException("no answer within " + timeout.toMillis()
                                + " ms; the write may still commit");
                    }
                    throw asUnchecked(cause);
                });
    }

    /** Deletes every key of the range in one log entry. */
    public CompletableFuture<KvResult> deleteRange(KeyRange range) {
        return write(new KvCommand.DeleteRange(NO_CLIENT, 0, range));
    }

    public CompletableFuture<KvResult> txn(List<Compare> compares, List<TxnOp> success, List<TxnOp> failure) {
        return write(new KvCommand.Txn(NO_CLIENT, 0, compares, success, failure));
    }

    /** One log entry, but for the injected bug that splits a transaction ({@link LogEntries}): then each piece, answering the first's result. */
    private CompletableFuture<Object> propose(KvCommand command) {
        List<KvCommand> entries = LogEntries.of(command, bugs);
        long now = System.currentTimeMillis();
        CompletableFuture<Object> first = server.propose(KvCodec.encode(entries.get(0), now));
        for (KvCommand rest : entries.subList(1, entries.size())) server.propose(KvCodec.encode(rest, now));
        return first;
    }

    public CompletableFuture<KvResult.Value> get(String key, ClientProtocol.Consistency consistency) {
        limits.checkKey(key);
        return read(KvCodec.encodeGet(key), consistency).thenApply(r -> (KvResult.Value) r);
    }

    /** A page of the range ({@link KvResult.Page}) or its count ({@link KvResult.Count}). */
    public CompletableFuture<KvResult> range(KvQuery.Range range, ClientProtocol.Consistency consistency) {
        limits.checkRange(range.range());
        limits.checkPageLimit(range.limit());
        return read(KvCodec.encodeQuery(range), consistency).thenApply(r -> (KvResult) r);
    }

    private CompletableFuture<Object> read(byte[] query, ClientProtocol.Consistency consistency) {
        CompletableFuture<Object> read = unsafeLocalReads ? server.readLocal(query) : switch (consistency) {
            case LINEARIZABLE -> server.read(query);
            case LEASE -> server.readLease(query);
            case LOCAL -> server.readLocal(query);
        };
        return read.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .handle((result, error) -> {
                    if (error == null) return result;
                    Throwable cause = unwrap(error);
                    if (cause instanceof TimeoutException) {
                        // a read changes nothing, so a read that timed out was simply not served
                        throw new NotAppliedException("no answer within " + timeout.toMillis()
                                + " ms (no leader, or no quorum)", null);
                    }
                    throw asUnchecked(cause);
                });
    }

    public CompletableFuture<RaftServer.Status> status() {
        return server.status();
    }

    static Throwable unwrap(Throwable t) {
        while (t instanceof CompletionException && t.getCause() != null) t = t.getCause();
        return t;
    }

    private static RuntimeException asUnchecked(Throwable t) {
        return t instanceof RuntimeException r ? r : new CompletionException(t);
    }
}
