package dev.raftkv.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.raftkv.client.ClientProtocol;
import dev.raftkv.kv.KeyRange;
import dev.raftkv.kv.KvLimits;
import dev.raftkv.kv.KvQuery;
import dev.raftkv.kv.KvResult;
import dev.raftkv.raft.Role;
import dev.raftkv.raft.server.NotAppliedException;
import dev.raftkv.raft.server.RaftServer;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import dev.raftkv.transport.Tls;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The HTTP/JSON API for people and curl (README, "HTTP API"). Writes and linearizable reads that
 * reach a follower are forwarded to the leader; errors are JSON {@code {"error","message"}} with
 * 400 (bad request), 413 (too large), 503 (not applied, overloaded) and 504 (outcome unknown), and, from the
 * connection's limits ({@link HttpConnection}, {@link HttpRequestAssembler}), 408, 414 and 431.
 */
public final class HttpApi implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HttpApi.class);
    static final String FORWARDED = "X-Raftkv-Forwarded";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String selfId;
    private final KvService kv;
    private final MembershipService membership;
    private final Directory directory;
    /** Null unless the node runs with the unsafe clock control. */
    private final SkewedClockLoop clock;
    private final HttpSecurity security;
    private final LeaderForwarder forwarder;
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel channel;
    private final ConnectionCount connections;
    private final NodeMetrics metrics;

    /** @param directory members' addresses: where to forward, and what the status shows */
    HttpApi(InetSocketAddress bind, String selfId, KvService kv, MembershipService membership, Directory directory)
            throws InterruptedException {
        this(bind, selfId, kv, membership, directory, null);
    }

    /** @param clock the skewable clock behind {@code /v1/unsafe/clock} (test only), or null: no such endpoint */
    HttpApi(InetSocketAddress bind, String selfId, KvService kv, MembershipService membership, Directory directory,
            SkewedClockLoop clock) throws InterruptedException {
        this(bind, selfId, kv, membership, directory, clock, HttpSecurity.NONE);
    }

    /** @param security who may call what, TLS, how to forward, and what the status must say */
    HttpApi(InetSocketAddress bind, String selfId, KvService kv, MembershipService membership, Directory directory,
            SkewedClockLoop clock, HttpSecurity security) throws InterruptedException {
        this(bind, selfId, kv, membership, directory, clock, security, EdgeLimits.defaults(),
                InFlightBudget.of(EdgeLimits.defaults()));
    }

    HttpApi(InetSocketAddress bind, String selfId, KvService kv, MembershipService membership, Directory directory,
            SkewedClockLoop clock, HttpSecurity security, EdgeLimits edge, InFlightBudget budget) throws InterruptedException {
        this(bind, selfId, kv, membership, directory, clock, security, edge, budget, new NodeMetrics(kv.server(), budget, null));
    }

    /**
     * @param edge   connection cap, header size, read and idle timeouts
     * @param budget what the node holds for its clients, shared with the binary client port
     * @param metrics what {@code GET /metrics} shows; this API adds its requests to it
     */
    HttpApi(InetSocketAddress bind, String selfId, KvService kv, MembershipService membership, Directory directory,
            SkewedClockLoop clock, HttpSecurity security, EdgeLimits edge, InFlightBudget budget, NodeMetrics metrics)
            throws InterruptedException {
        this.security = security;
        this.metrics = metrics;
        this.forwarder = new LeaderForwarder(security.forwarding());
        this.selfId = selfId;
        this.kv = kv;
        this.membership = membership;
        this.directory = directory;
        this.clock = clock;
        this.connections = new ConnectionCount(edge.httpMaxConnections());
        int maxBody = maxBodyBytes(kv.limits());
        int maxLine = maxRequestLineBytes(kv.limits());
        HttpConnection.Service service = new HttpConnection.Service() {
            @Override
            public CompletableFuture<Reply> answer(FullHttpRequest request) {
                return HttpApi.this.answer(request);
            }

            @Override
            public Reply errorReply(Throwable error) {
                return HttpApi.this.errorReply(error);
            }
        };
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        HttpConnection.install(ch.pipeline(), service, connections, edge, budget, maxBody, maxLine);
                        if (security.tls() != null) Tls.addServer(ch.pipeline(), security.tls(), "HTTP port of " + selfId, () -> { });
                    }
                });
        this.channel = b.bind(bind).sync().channel();
    }

    /** The largest body: the largest value, with room for a CAS's JSON (two values, quoted). */
    static int maxBodyBytes(KvLimits limits) {
        return (int) Math.min(Integer.MAX_VALUE - 8, limits.maxValueBytes() + 64L * 1024);
    }

    /**
     * The longest request line: method, target and version around the longest key percent-encoded (each UTF-8
     * byte as "%XX", three times its size), with room for the path, a "/cas" suffix and a query.
     */
    static int maxRequestLineBytes(KvLimits limits) {
        return (int) Math.min(Integer.MAX_VALUE - 8, 3L * limits.maxKeyBytes() + 1024);
    }

    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).awaitUninterruptibly();
    }

    /** An answer: status, content type, body, and headers of its own ({@code X-Raftkv-…}). */
    record Reply(int status, String contentType, byte[] body, Map<String, String> headers) {
        Reply {
            headers = Map.copyOf(headers);
        }

        Reply(int status, String contentType, byte[] body) {
            this(status, contentType, body, Map.of());
        }

        static Reply json(int status, Object value) {
            try {
                return new Reply(status, "application/json", JSON.writeValueAsBytes(value));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        static Reply error(int status, String code, String message) {
            return json(status, Map.of("error", code, "message", message == null ? code : message));
        }
    }

    /**
     * Answers one whole request: the target decoded strictly (RequestTarget), then who may call it, then the
     * route. Everything it needs from the request is copied before it returns: the caller releases it.
     */
    CompletableFuture<Reply> answer(FullHttpRequest req) {
        long started = System.nanoTime();
        RequestTarget target = RequestTarget.parse(req.uri());
        HttpOperation op = HttpOperation.of(req.method(), target.path());
        String consistency = op.reads() ? consistencyLabel(target.parameter("consistency")) : "none";
        return answer(req, target).whenComplete((r, e) ->
                metrics.httpRequest(op, consistency, r == null ? 500 : r.status(), System.nanoTime() - started));
    }

    /** The consistency a read asked for, as a label: one of the three, or "invalid" (a caller's text never becomes one). */
    private static String consistencyLabel(String asked) {
        try {
            return ClientProtocol.Consistency.parse(asked).name().toLowerCase(java.util.Locale.ROOT);
        } catch (RuntimeException e) {
            return "invalid";
        }
    }

    private CompletableFuture<Reply> answer(FullHttpRequest req, RequestTarget target) {
        byte[] body = ByteBufUtil.getBytes(req.content());
        HttpMethod method = req.method();
        String uri = req.uri();
        boolean forwarded = req.headers().contains(FORWARDED);
        String authorization = req.headers().get(HttpHeaderNames.AUTHORIZATION);
        Authorizer.Denial denied = security.authorizer().check(method, target.path(), req.headers());
        if (denied != null) return done(Reply.error(denied.status(), denied.code(), denied.message()));
        CompletableFuture<Reply> reply;
        try {
            reply = route(method, uri, target, body, forwarded, authorization);
        } catch (RuntimeException e) {
            reply = CompletableFuture.completedFuture(errorReply(e));
        }
        return reply.exceptionally(this::errorReply);
    }

    CompletableFuture<Reply> route(HttpMethod method, String uri, RequestTarget target, byte[] body, boolean forwarded,
                                   String authorization) {
        String path = target.path();
        if (path.equals("/v1/status") && method.equals(HttpMethod.GET)) return status();
        if (path.equals("/metrics") || path.equals("/health") || path.equals("/ready")) return done(observability(method, path));
        if (path.equals("/v1/unsafe/clock") && clock != null) return done(clock(method, body));
        if (path.equals("/v1/members") || path.startsWith("/v1/members/") || path.equals("/v1/leader/transfer")) {
            return forwardable(method, uri, body, forwarded, authorization, membershipRoute(method, path, body, forwarded));
        }
        if (path.equals("/v1/kv") || path.equals("/v1/txn")) {
            return forwardable(method, uri, body, forwarded, authorization, rangeOrTxn(method, path, target, body));
        }
        if (!path.startsWith("/v1/kv/")) return done(Reply.error(404, "not_found", "no such endpoint: " + path));
        String rest = path.substring("/v1/kv/".length());
        boolean cas = rest.endsWith("/cas") && method.equals(HttpMethod.POST);
        String key = cas ? rest.substring(0, rest.length() - "/cas".length()) : rest;
        CompletableFuture<Reply> local;
        if (cas) {
            local = cas(key, body);
        } else if (method.equals(HttpMethod.PUT)) {
            local = kv.put(key, body).thenApply(r -> {
                long index = ((KvResult.Written) r).index();
                return Reply.json(200, JSON.createObjectNode().put("index", index).put("revision", index));
            });
        } else if (method.equals(HttpMethod.DELETE)) {
            local = kv.delete(key).thenApply(r -> {
                KvResult.Deleted d = (KvResult.Deleted) r;
                return Reply.json(200, JSON.createObjectNode().put("deleted", d.existed()).put("revision", d.revision()));
            });
        } else if (method.equals(HttpMethod.GET)) {
            local = get(key, target);
        } else {
            return done(Reply.error(405, "method_not_allowed", method + " is not supported on " + path));
        }
        return forwardable(method, uri, body, forwarded, authorization, local);
    }

    /**
     * The value as the body, its history in {@code X-Raftkv-Create-Revision}, {@code -Mod-Revision} and
     * {@code -Version}, the revision the read reflects in {@code X-Raftkv-Revision}; {@code meta=true} answers
     * all of it as JSON instead. Read as a range that holds the one key, which carries the history.
     */
    private CompletableFuture<Reply> get(String key, RequestTarget target) {
        kv.limits().checkKey(key);
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        byte[] end = java.util.Arrays.copyOf(k, k.length + 1); // the least key after k: k followed by a zero byte
        boolean meta = "true".equals(target.parameter("meta"));
        KvQuery.Range one = new KvQuery.Range(new KeyRange(k, end), 1, false, false);
        return kv.range(one, ClientProtocol.Consistency.parse(target.parameter("consistency"))).thenApply(r -> {
            KvResult.Page page = (KvResult.Page) r;
            if (page.items().isEmpty()) return Reply.error(404, "not_found", "no value for key '" + key + "'");
            KvResult.Item item = page.items().get(0);
            if (meta) return Reply.json(200, KvJson.item(item));
            return new Reply(200, "application/octet-stream", item.value(), Map.of(
                    "X-Raftkv-Create-Revision", Long.toString(item.createRevision()),
                    "X-Raftkv-Mod-Revision", Long.toString(item.modRevision()),
                    "X-Raftkv-Version", Long.toString(item.version()),
                    "X-Raftkv-Revision", Long.toString(page.revision())));
        });
    }

    /** {@code GET /v1/kv} (a page of a range, or its count), {@code DELETE /v1/kv} (a delete-range), {@code POST /v1/txn}. */
    private CompletableFuture<Reply> rangeOrTxn(HttpMethod method, String path, RequestTarget target, byte[] body) {
        if (path.equals("/v1/txn")) {
            if (!method.equals(HttpMethod.POST)) return done(Reply.error(405, "method_not_allowed", method + " is not supported on " + path + " (POST a transaction)"));
            KvJson.Txn t = KvJson.txn(body);
            return kv.txn(t.compares(), t.success(), t.failure()).thenApply(r -> Reply.json(200, KvJson.txnDone((KvResult.TxnDone) r)));
        }
        if (method.equals(HttpMethod.GET)) {
            KvQuery.Range q = KvJson.rangeQuery(target);
            return kv.range(q, ClientProtocol.Consistency.parse(target.parameter("consistency"))).thenApply(r -> Reply.json(200,
                    r instanceof KvResult.Count c ? KvJson.count(c) : KvJson.page((KvResult.Page) r)));
        }
        if (method.equals(HttpMethod.DELETE)) {
            KeyRange range = KvJson.range(target, false);
            return kv.deleteRange(range).thenApply(r -> {
                KvResult.DeletedRange d = (KvResult.DeletedRange) r;
                return Reply.json(200, Map.of("deleted", d.count(), "revision", d.revision()));
            });
        }
        return done(Reply.error(405, "method_not_allowed", method + " is not supported on " + path + " (GET a range, DELETE one)"));
    }

    /** {@code /metrics}, {@code /health}, {@code /ready}: all read what is already published, so none waits on the Raft loop. */
    private Reply observability(HttpMethod method, String path) {
        if (!method.equals(HttpMethod.GET)) return Reply.error(405, "method_not_allowed", method + " is not supported on " + path);
        if (path.equals("/metrics")) return new Reply(200, NodeMetrics.contentType(), metrics.text());
        RaftServer.Status s = kv.server().published();
        NodeHealth.Verdict v = path.equals("/health") ? NodeHealth.health(s) : NodeHealth.ready(s);
        return Reply.json(v.status(), v.body());
    }

    /** The local answer, or, if this node does not lead but knows who does, the leader's. */
    private CompletableFuture<Reply> forwardable(HttpMethod method, String uri, byte[] body, boolean forwarded,
                                                 String authorization, CompletableFuture<Reply> local) {
        return local.handle((r, e) -> r == null ? maybeForward(method, uri, body, forwarded, authorization, KvService.unwrap(e))
                        : done(r))
                .thenCompose(f -> f);
    }

    // ---------------------------------------------------------------- membership

    private CompletableFuture<Reply> membershipRoute(HttpMethod method, String path, byte[] body, boolean forwarded) {
        if (path.equals("/v1/members") && method.equals(HttpMethod.GET)) {
            // the leader knows how far each member got: ask it, unless it is us or unknown
            return membership.view().thenApply(v -> {
                if (!forwarded && v.role() != Role.LEADER && v.leader() != null && !v.leader().equals(selfId)) {
                    throw new NotAppliedException("not the leader", v.leader());
                }
                return Reply.json(200, membersJson(v));
            });
        }
        if (path.equals("/v1/members") && method.equals(HttpMethod.POST)) {
            JsonNode json = jsonObject(body, "{\"id\",\"raft\",\"client\",\"http\",\"voter\"}");
            String id = json.path("id").asText(null);
            MemberEndpoint endpoint;
            try {
                endpoint = MemberEndpoint.fromJson(json);
            } catch (IllegalArgumentException e) {
                throw new RequestException(400, "bad_request", e.getMessage());
            }
            boolean voter = !json.has("voter") || json.get("voter").asBoolean(true);
            return membership.add(id, endpoint, voter).thenApply(a -> {
                ObjectNode out = JSON.createObjectNode().put("id", a.id()).put("voter", a.voter()).put("index", a.index());
                boolean waiting = voter && !a.voter();
                if (waiting) out.put("message", a.id() + " is a learner still catching up; ask again to promote it");
                return Reply.json(waiting ? 202 : 200, out);
            });
        }
        if (path.startsWith("/v1/members/") && method.equals(HttpMethod.DELETE)) {
            String id = path.substring("/v1/members/".length());
            return membership.remove(id).thenApply(index -> Reply.json(200, Map.of("removed", id, "index", index)));
        }
        if (path.equals("/v1/leader/transfer") && method.equals(HttpMethod.POST)) {
            JsonNode json = jsonObject(body, "{\"to\":ID}");
            String to = json.path("to").asText(null);
            return membership.transfer(to).thenApply(leader -> Reply.json(200, Map.of("leader", leader)));
        }
        return done(Reply.error(405, "method_not_allowed", method + " is not supported on " + path));
    }

    private static JsonNode jsonObject(byte[] body, String shape) {
        try {
            JsonNode json = JSON.readTree(body);
            if (json != null && json.isObject()) return json;
        } catch (Exception e) {
            // answered below
        }
        throw new RequestException(400, "bad_request", "the body must be a JSON object " + shape);
    }

    private ObjectNode membersJson(MembershipService.View v) {
        ObjectNode out = JSON.createObjectNode();
        if (v.leader() == null) out.putNull("leader");
        else out.put("leader", v.leader());
        out.put("cluster", security.clusterId().get()).put("term", v.term()).put("commitIndex", v.commitIndex());
        var members = out.putArray("members");
        for (MembershipService.Member m : v.members()) {
            ObjectNode n = members.addObject().put("id", m.id());
            putAddresses(n, m.endpoint());
            n.put("voter", m.voter());
            n.put("role", m.id().equals(v.leader()) ? "leader" : m.voter() ? "voter" : "learner");
            if (m.matchIndex() == null) n.putNull("matchIndex");
            else n.put("matchIndex", m.matchIndex());
            n.put("repairing", m.repairing());
        }
        return out;
    }

    private CompletableFuture<Reply> cas(String key, byte[] body) {
        JsonNode json;
        try {
            json = JSON.readTree(body);
        } catch (Exception e) {
            return done(Reply.error(400, "bad_request", "the body must be JSON {\"expect\":STRING|null,\"value\":STRING}"));
        }
        if (json == null || !json.isObject() || !json.has("value") || !json.get("value").isTextual()
                || (json.has("expect") && !json.get("expect").isNull() && !json.get("expect").isTextual())) {
            return done(Reply.error(400, "bad_request", "the body must be JSON {\"expect\":STRING|null,\"value\":STRING}"));
        }
        byte[] expect = json.hasNonNull("expect") ? json.get("expect").asText().getBytes(StandardCharsets.UTF_8) : null;
        byte[] value = json.get("value").asText().getBytes(StandardCharsets.UTF_8);
        return kv.cas(key, expect, value).thenApply(r -> {
            KvResult.CasDone c = (KvResult.CasDone) r;
            if (c.ok()) return Reply.json(200, JSON.createObjectNode().put("ok", true).put("revision", c.revision()));
            ObjectNode out = JSON.createObjectNode().put("ok", false);
            if (c.current() == null) out.putNull("current");
            else out.put("current", new String(c.current(), StandardCharsets.UTF_8));
            return Reply.json(409, out.put("revision", c.revision()));
        });
    }

    /** Test only: {@code GET} tells this node's clock rate, {@code POST {"rate":R}} sets it. */
    private Reply clock(HttpMethod method, byte[] body) {
        if (method.equals(HttpMethod.POST)) {
            JsonNode json;
            try {
                json = JSON.readTree(body);
            } catch (Exception e) {
                json = null;
            }
            if (json == null || !json.path("rate").isNumber()) {
                return Reply.error(400, "bad_request", "the body must be JSON {\"rate\":NUMBER}");
            }
            try {
                clock.setRate(json.get("rate").asDouble());
            } catch (IllegalArgumentException e) {
                return Reply.error(400, "bad_request", e.getMessage());
            }
            LOG.warn("UNSAFE: this node's clock now runs at {} times real time", clock.rate());
        } else if (!method.equals(HttpMethod.GET)) {
            return Reply.error(405, "method_not_allowed", method + " is not supported on /v1/unsafe/clock");
        }
        return Reply.json(200, Map.of("rate", clock.rate()));
    }

    private CompletableFuture<Reply> status() {
        return kv.status().thenApply(s -> Reply.json(200, statusJson(s)));
    }

    private ObjectNode statusJson(RaftServer.Status s) {
        ObjectNode out = JSON.createObjectNode();
        out.put("id", s.id()).put("cluster", security.clusterId().get()).put("role", s.role().label()).put("term", s.term());
        if (!security.unsafe().isEmpty()) {
            // loud: a node started through the test-only entry point breaks promises on purpose
            out.put("warning", "UNSAFE test-only switches are on: this node does not keep raftkv's promises");
            var names = out.putArray("unsafe");
            security.unsafe().forEach(names::add);
        }
        if (s.leader() == null) out.putNull("leader");
        else out.put("leader", s.leader());
        out.put("commitIndex", s.commitIndex()).put("appliedIndex", s.appliedIndex());
        // a node that lost committed entries says so where an operator looks first
        out.put("repairing", s.repairing());
        HeapUsage heap = HeapUsage.read();
        out.putObject("heap").put("usedBytes", heap.usedBytes()).put("maxBytes", heap.maxBytes())
                .put("peakUsedBytes", heap.peakUsedBytes()).put("peakAfterGcBytes", heap.peakAfterGcBytes());
        var members = out.putArray("members");
        for (String id : s.members().members()) {
            ObjectNode m = members.addObject().put("id", id);
            putAddresses(m, directory.of(id));
            m.put("voter", s.members().isVoter(id));
        }
        return out;
    }

    /** A member's raft, client and http addresses; null where this node does not know them. */
    private static void putAddresses(ObjectNode member, MemberEndpoint endpoint) {
        putAddress(member, "raft", endpoint == null ? null : endpoint.raft());
        putAddress(member, "client", endpoint == null ? null : endpoint.client());
        putAddress(member, "http", endpoint == null ? null : endpoint.http());
    }

    private static void putAddress(ObjectNode member, String field, String address) {
        if (address == null) member.putNull(field);
        else member.put(field, address);
    }

    /** A follower that knows the leader's HTTP address passes the request on, once. */
    private CompletableFuture<Reply> maybeForward(HttpMethod method, String uri, byte[] body, boolean forwarded,
                                                  String authorization, Throwable error) {
        if (!(error instanceof NotAppliedException n) || forwarded || n.leaderHint() == null
                || n.leaderHint().equals(selfId)) {
            return done(errorReply(error));
        }
        String leaderHttp = directory.httpOf(n.leaderHint());
        if (leaderHttp == null) return done(errorReply(error));
        return forwarder.forward(method, leaderHttp, uri, body, authorization)
                .thenApply(resp -> new Reply(resp.statusCode(),
                        resp.headers().firstValue("content-type").orElse("application/octet-stream"), resp.body(),
                        ownHeaders(resp.headers())))
                .exceptionally(e -> forwardFailed(method, n.leaderHint(), leaderHttp, KvService.unwrap(e)));
    }

    /** The leader's {@code X-Raftkv-…} headers (a value's revisions), passed on with its answer. */
    private static Map<String, String> ownHeaders(java.net.http.HttpHeaders headers) {
        Map<String, String> own = new java.util.TreeMap<>();
        headers.map().forEach((name, values) -> {
            if (name.toLowerCase(java.util.Locale.ROOT).startsWith("x-raftkv-") && !values.isEmpty()) own.put(name, values.get(0));
        });
        return own;
    }

    /**
     * The answer when forwarding to the leader failed. Only a request that never reached the leader (no
     * connection) or a read is definitely not applied; a write whose connection broke or timed out after
     * it was sent may still commit, so it is 504, never 503 (raftkv verify caught a 503 write that had
     * been applied: the leader was killed after it took the write).
     */
    static Reply forwardFailed(HttpMethod method, String leader, String address, Throwable e) {
        String why = "the leader " + leader + " at " + address + " did not answer: " + e;
        boolean neverSent = e instanceof java.net.ConnectException || e instanceof java.net.http.HttpConnectTimeoutException;
        if (neverSent || method.equals(HttpMethod.GET)) return Reply.error(503, "not_applied", why);
        return Reply.error(504, "outcome_unknown", why + "; the request may still take effect");
    }

    Reply errorReply(Throwable e) {
        return errorReply(Failure.of(e));
    }

    /** HTTP's words for a {@link Failure}: a status and a JSON {@code {"error","message"}}. */
    static Reply errorReply(Failure f) {
        if (f instanceof Failure.Invalid i) return Reply.error(400, "bad_request", i.message());
        if (f instanceof Failure.TooLarge t) return Reply.error(413, "too_large", t.message());
        if (f instanceof Failure.NoLeader n) return Reply.error(503, "no_leader", n.message());
        if (f instanceof Failure.NotApplied n) {
            return Reply.error(503, "not_applied", n.message() + (n.leaderHint() == null ? "" : "; the leader is " + n.leaderHint()));
        }
        if (f instanceof Failure.OutcomeUnknown o) return Reply.error(504, "outcome_unknown", o.message());
        if (f instanceof Failure.Refused r) return Reply.error(r.httpStatus(), r.code(), r.message());
        if (f instanceof Failure.Unexpected u) {
            LOG.error("unexpected error answering an HTTP request", u.error());
            return Reply.error(500, "internal", u.message());
        }
        throw new IllegalStateException("no HTTP answer for " + f);
    }

    private static CompletableFuture<Reply> done(Reply r) {
        return CompletableFuture.completedFuture(r);
    }
}
