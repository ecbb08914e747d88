package dev.raftkv.client;

import dev.raftkv.client.ClientProtocol.Consistency;
import dev.raftkv.kv.Compare;
import dev.raftkv.kv.KeyRange;
import dev.raftkv.kv.KvCommand;
import dev.raftkv.kv.KvLimits;
import dev.raftkv.kv.KvQuery;
import dev.raftkv.kv.KvResult;
import dev.raftkv.kv.TxnOp;
import dev.raftkv.raft.server.NotAppliedException;
import dev.raftkv.raft.server.OutcomeUnknownException;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * The asynchronous Java client of the binary protocol. It finds the leader (any member answers
 * NOT_LEADER with the leader's client address), follows redirects, and retries NOT_APPLIED, OUTCOME_UNKNOWN
 * and connection failures with a small back-off until {@link Options#timeout()}. Every retry of a write
 * carries the same (client id, seq), so the cluster applies it at most once: that holds for delete-ranges and
 * transactions as for puts, and a transaction is a write even when it only reads.
 * <p>
 * Ranges: {@link #scanPage} is one read of one page, {@link #count} one read, and {@link #scan} a stream that reads
 * a page only when the one before it is used up ({@link PagedScan}), so a scan over any number of keys holds one
 * page; each page is its own read, and a later page may reflect a later revision.
 * <p>
 * Failures: {@link NotAppliedException} (certainly not applied: safe to retry), {@link OutcomeUnknownException}
 * (a write that some leader may have received: it may have been applied), {@link KvLimits.Violation}
 * (refused as malformed or too large: retrying will not help), {@link UnauthorizedException} (the token was
 * refused).
 */
public final class KvClient implements AutoCloseable {
    public record Options(Duration timeout, Duration minBackoff, Duration maxBackoff, int maxValueBytes, int connectTimeoutMillis) {
        public static final Options DEFAULT = new Options(Duration.ofSeconds(5), Duration.ofMillis(10), Duration.ofMillis(250),
                KvLimits.DEFAULT.maxValueBytes(), 1000);

        public Options withTimeout(Duration t) {
            return new Options(t, minBackoff, maxBackoff, maxValueBytes, connectTimeoutMillis);
        }
    }

    /**
     * A de-duplication identity used by one write at a time. The cluster remembers only each client id's
     * latest seq, so two writes in flight under one id could answer a retry of the older with the newer's
     * result: concurrent writes each borrow a lane of their own, and the pool grows to the concurrency.
     */
    private static final class Lane {
        final String clientId;
        long seq;

        Lane(String clientId) {
            this.clientId = clientId;
        }
    }

    private final Options options;
    private final ClientSecurity security;
    private final io.netty.handler.ssl.SslContext tls; // null: plain TCP
    private final List<InetSocketAddress> members;
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final ConcurrentHashMap<InetSocketAddress, CompletableFuture<ClientConnection>> connections = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Lane> idleLanes = new ConcurrentLinkedQueue<>();
    private final String clientIdPrefix = "kvc-" + UUID.randomUUID() + "-";
    private final AtomicInteger lanesCreated = new AtomicInteger();
    private final AtomicLong requestIds = new AtomicLong();
    private final AtomicInteger nextMember = new AtomicInteger();
    private volatile InetSocketAddress leader;
    private volatile boolean closed;

    public KvClient(List<InetSocketAddress> members) {
        this(members, Options.DEFAULT);
    }

    public KvClient(List<InetSocketAddress> members, Options options) {
        this(members, options, ClientSecurity.NONE);
    }

    /** @param security TLS (the cluster's CA) and the token to present, if the cluster wants them */
    public KvClient(List<InetSocketAddress> members, Options options, ClientSecurity security) {
        if (members.isEmpty()) throw new IllegalArgumentException("a KvClient needs at least one member address");
        this.members = new CopyOnWriteArrayList<>(members);
        this.options = options;
        this.security = security;
        this.tls = security.nettyTls();
    }

    /** @return the log index the put was applied at */
    public CompletableFuture<Long> put(String key, byte[] value) {
        return write(lane -> ClientRequest.put(0, lane.clientId, lane.seq, key, value))
                .thenApply(r -> ((KvResult.Written) r.result()).index());
    }

    /** @return whether the key existed */
    public CompletableFuture<Boolean> delete(String key) {
        return write(lane -> ClientRequest.delete(0, lane.clientId, lane.seq, key))
                .thenApply(r -> ((KvResult.Deleted) r.result()).existed());
    }

    /** Sets {@code value} if the key holds {@code expect} (null: absent); a failed swap reports the current value. */
    public CompletableFuture<KvResult.CasDone> cas(String key, byte[] expect, byte[] value) {
        return write(lane -> ClientRequest.cas(0, lane.clientId, lane.seq, key, expect, value))
                .thenApply(r -> (KvResult.CasDone) r.result());
    }

    public CompletableFuture<byte[]> get(String key) {
        return get(key, Consistency.LINEARIZABLE);
    }

    /** @return the value, or null if the key is absent */
    public CompletableFuture<byte[]> get(String key, Consistency consistency) {
        return read(ClientRequest.get(0, key, consistency)).thenApply(r -> ((KvResult.Value) r.result()).value());
    }

    /**
     * Every key of the range in order, fetched a page of up to {@link KvLimits#MAX_PAGE_KEYS} at a time as the stream
     * is consumed: the whole range is never held. Each page is one read at {@code consistency}; a failed page
     * throws its error from the stream's terminal operation.
     */
    public Stream<KvResult.Item> scan(KeyRange range, Consistency consistency) {
        return scan(range, KvLimits.MAX_PAGE_KEYS, false, consistency);
    }

    /** The same with pages of at most {@code pageKeys} keys, and without values if {@code keysOnly}. */
    public Stream<KvResult.Item> scan(KeyRange range, int pageKeys, boolean keysOnly, Consistency consistency) {
        PagedScan pages = new PagedScan(range, rest -> scanPage(rest, pageKeys, keysOnly, consistency));
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(pages, Spliterator.ORDERED | Spliterator.NONNULL), false);
    }

    /**
     * One page: up to {@code limit} keys (1 to {@link KvLimits#MAX_PAGE_KEYS}) from the range's start, within
     * {@link KvLimits#MAX_PAGE_BYTES}; {@link KvResult.Page#next()} is where the next page starts (null: the end).
     */
    public CompletableFuture<KvResult.Page> scanPage(KeyRange range, int limit, boolean keysOnly, Consistency consistency) {
        return read(ClientRequest.range(0, new KvQuery.Range(range, limit, keysOnly, false), consistency))
                .thenApply(r -> (KvResult.Page) r.result());
    }

    /** How many keys the range holds, and at which revision. */
    public CompletableFuture<KvResult.Count> count(KeyRange range, Consistency consistency) {
        return read(ClientRequest.range(0, new KvQuery.Range(range, 1, true, true), consistency))
                .thenApply(r -> (KvResult.Count) r.result());
    }

    /** Deletes every key of the range in one log entry: how many, at which revision. */
    public CompletableFuture<KvResult.DeletedRange> deleteRange(KeyRange range) {
        return write(lane -> ClientRequest.deleteRange(0, lane.clientId, lane.seq, range))
                .thenApply(r -> (KvResult.DeletedRange) r.result());
    }

    /**
     * If every compare holds, applies {@code success}, else {@code failure}, in one log entry; retried under one
     * (client id, seq) like every write, so it is applied at most once and a retry gets the first answer.
     */
    public CompletableFuture<KvResult.TxnDone> txn(List<Compare> compares, List<TxnOp> success, List<TxnOp> failure) {
        int ops = compares.size() + success.size() + failure.size();
        if (ops > KvLimits.MAX_TXN_OPS) {
            // the node would say the same, but a list that long does not even decode there (BAD_REQUEST)
            return CompletableFuture.failedFuture(new KvLimits.Violation("the transaction has " + ops
                    + " compares and operations; the limit is " + KvLimits.MAX_TXN_OPS, true));
        }
        return write(lane -> ClientRequest.txn(0, lane.clientId, lane.seq, compares, success, failure))
                .thenApply(r -> (KvResult.TxnDone) r.result());
    }

    private CompletableFuture<ClientResponse> read(ClientRequest request) {
        Call call = new Call(request);
        call.run();
        return call.result;
    }

    private CompletableFuture<ClientResponse> write(java.util.function.Function<Lane, ClientRequest> build) {
        Lane lane = idleLanes.poll();
        if (lane == null) lane = new Lane(clientIdPrefix + lanesCreated.incrementAndGet());
        lane.seq++;
        Lane borrowed = lane;
        Call call = new Call(build.apply(lane));
        // the lane is free again once this write is settled, whatever its outcome: later retries are not sent
        call.result.whenComplete((r, e) -> idleLanes.add(borrowed));
        call.run();
        return call.result;
    }

    @Override
    public void close() {
        closed = true;
        connections.values().forEach(f -> f.thenAccept(ClientConnection::close));
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    private CompletableFuture<ClientConnection> connection(InetSocketAddress address) {
        return connections.compute(address, (a, existing) -> {
            if (existing != null && (!existing.isDone()
                    || (!existing.isCompletedExceptionally() && existing.join().isActive()))) {
                return existing;
            }
            return ClientConnection.connect(group, a, ClientProtocol.maxAnswerFrameBytes(options.maxValueBytes()),
                    options.connectTimeoutMillis(), tls, security.token());
        });
    }

    private InetSocketAddress pickTarget() {
        InetSocketAddress l = leader;
        if (l != null) return l;
        return members.get(Math.floorMod(nextMember.getAndIncrement(), members.size()));
    }

    /** Whether {@code s} encodes to UTF-8 as it is: no lone surrogates. */
    private static boolean isText(String s) {
        return s == null || java.nio.charset.StandardCharsets.UTF_8.newEncoder().canEncode(s);
    }

    /** Whether every key the request names is text: a transaction's compares and operations name keys too. */
    private static boolean keysAreText(ClientRequest r) {
        if (!isText(r.key())) return false;
        if (!(r.command() instanceof KvCommand.Txn t)) return true;
        for (Compare c : t.compares()) {
            if (!isText(c.key())) return false;
        }
        for (List<TxnOp> branch : List.of(t.success(), t.failure())) {
            for (TxnOp op : branch) {
                if (!isText(keyOf(op))) return false;
            }
        }
        return true;
    }

    /** The key an operation names, or null for the range ones (their bounds are bytes already). */
    private static String keyOf(TxnOp op) {
        if (op instanceof TxnOp.Put p) return p.key();
        if (op instanceof TxnOp.Delete d) return d.key();
        if (op instanceof TxnOp.Get g) return g.key();
        return null;
    }


    /** One operation and its attempts, until it is answered or its deadline passes. */
    private final class Call {
        final ClientRequest request;
        final long deadline = System.nanoTime() + options.timeout().toNanos();
        final CompletableFuture<ClientResponse> result = new CompletableFuture<>();
        int attempts;
        /** Set once a write may have reached a leader: its timeout is then "outcome unknown", not "not applied". */
        boolean possiblyApplied;
        InetSocketAddress redirect;
        String lastProblem = "no member answered";

        Call(ClientRequest request) {
            this.request = request;
        }

        void run() {
            if (attempts == 0 && !keysAreText(request)) {
                // getBytes(UTF_8) would send a lone surrogate as '?', silently naming another key
                result.completeExceptionally(new KvLimits.Violation("the key is not valid Unicode text (a lone surrogate)", false));
                return;
            }
            if (closed) {
                result.completeExceptionally(new NotAppliedException("the client is closed", null));
                return;
            }
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                timedOut();
                return;
            }
            attempts++;
            InetSocketAddress target = redirect != null ? redirect : pickTarget();
            redirect = null;
            long requestId = requestIds.incrementAndGet();
            boolean[] sent = new boolean[1];
            ClientConnection[] via = new ClientConnection[1];
            connection(target)
                    .thenCompose(c -> {
                        via[0] = c;
                        sent[0] = true;
                        return c.send(request.withRequestId(requestId));
                    })
                    .orTimeout(remaining, TimeUnit.NANOSECONDS)
                    .whenComplete((answer, error) -> {
                        if (error == null) {
                            onAnswer(target, answer);
                            return;
                        }
                        Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                                ? error.getCause() : error;
                        if (cause instanceof UnauthorizedException) {
                            result.completeExceptionally(cause); // another attempt with the same token fares no better
                            return;
                        }
                        if (via[0] != null) via[0].abandon(requestId);
                        boolean received = cause instanceof ConnectionLostException lost ? lost.possiblyReceived() : sent[0];
                        if (request.op().isWrite() && received) possiblyApplied = true;
                        lastProblem = target + ": " + cause;
                        if (target.equals(leader)) leader = null;
                        retryLater();
                    });
        }

        private void onAnswer(InetSocketAddress target, ClientResponse answer) {
            switch (answer.status()) {
                case OK, NOT_FOUND, CAS_FAILED -> {
                    if (request.consistency() != Consistency.LOCAL) leader = target;
                    result.complete(answer);
                }
                case NOT_LEADER -> {
                    lastProblem = target + " is not the leader; the leader is " + answer.leaderId();
                    if (target.equals(leader)) leader = null;
                    if (answer.leaderClient() != null) {
                        InetSocketAddress hinted = dev.raftkv.transport.Addresses.parseResolved(answer.leaderClient());
                        if (!members.contains(hinted)) members.add(hinted);
                        leader = hinted;
                        if (!hinted.equals(target)) {
                            // a fresh hint is worth following at once; a node pointing at itself is not
                            redirect = hinted;
                            run();
                            return;
                        }
                    }
                    retryLater();
                }
                case NOT_APPLIED, OUTCOME_UNKNOWN -> {
                    if (answer.status() == ClientProtocol.Status.OUTCOME_UNKNOWN && request.op().isWrite()) possiblyApplied = true;
                    lastProblem = target + ": " + answer.message();
                    if (target.equals(leader)) leader = null;
                    retryLater();
                }
                case OVERLOADED -> {
                    // refused before it was proposed: retrying is safe, and the back-off gives the node room
                    lastProblem = target + ": " + answer.message();
                    retryLater();
                }
                case UNAUTHORIZED -> result.completeExceptionally(new UnauthorizedException(target + ": " + answer.message()));
                case BAD_REQUEST, TOO_LARGE -> result.completeExceptionally(
                        new KvLimits.Violation(answer.message(), answer.status() == ClientProtocol.Status.TOO_LARGE));
            }
        }

        private void retryLater() {
            long backoff = Math.min(options.maxBackoff().toNanos(),
                    options.minBackoff().toNanos() << Math.min(attempts - 1, 20));
            long jittered = backoff / 2 + (long) (Math.random() * (backoff / 2 + 1));
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                timedOut();
                return;
            }
            try {
                group.schedule(this::run, Math.min(jittered, remaining), TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                timedOut(); // the client was closed: settle now rather than leave the caller waiting
            }
        }

        private void timedOut() {
            String what = request.op() + (request.key().isEmpty() ? "" : " '" + request.key() + "'") + " got no answer within " + options.timeout().toMillis()
                    + " ms after " + attempts + " attempt(s); last: " + lastProblem;
            if (possiblyApplied) {
                result.completeExceptionally(new OutcomeUnknownException(what + "; a leader may have received it, so it may have been applied"));
            } else {
                result.completeExceptionally(new NotAppliedException(what, null));
            }
        }
    }
}
