package dev.raftkv.node;

import dev.raftkv.client.ClientCodec;
import dev.raftkv.client.ClientProtocol;
import dev.raftkv.client.ClientProtocol.Op;
import dev.raftkv.client.ClientProtocol.Status;
import dev.raftkv.client.ClientRequest;
import dev.raftkv.client.ClientResponse;
import dev.raftkv.client.UnreadableRequestException;
import dev.raftkv.kv.KvCommand;
import dev.raftkv.kv.KvLimits;
import dev.raftkv.kv.KvResult;
import dev.raftkv.transport.FrameDecoder;
import dev.raftkv.transport.MalformedFrameException;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import dev.raftkv.transport.Tls;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Serves the binary client protocol ({@link ClientCodec}). Requests on one connection run
 * concurrently and are answered as they finish, tagged with their request id. Writes carry the
 * client's own (client id, seq), so a retry is applied once. A follower does not forward: it answers
 * NOT_LEADER with the leader's id and client address, and the client goes there itself.
 *
 * <p>Each connection has at most {@code maxInFlight} requests being served at once. Beyond that the
 * server stops reading from the connection (Netty autoRead off), so a client that pipelines without
 * bound is slowed down by TCP back-pressure instead of filling the server's memory; reading resumes
 * once half of them have been answered. It does the same when the connection holds {@code
 * --client-max-in-flight-bytes} of requests read and answers not yet written (1,024 requests of 1 MiB would
 * be a GiB), and while the connection's outbound buffer is full (a client that does not read its answers).
 *
 * <p>The whole node holds at most {@link EdgeLimits#maxInFlightBytes()} and {@link EdgeLimits#maxInFlightRequests()}
 * for its clients, over this port and HTTP ({@link InFlightBudget}): a request beyond that is answered
 * OVERLOADED at once, never proposed. Past {@code --client-max-connections} a new connection is closed.
 * A request whose key is not UTF-8, or whose range or command body does not decode, is answered BAD_REQUEST.
 *
 * <p>With tokens, a connection's first request must be AUTH with the client or admin token; anything else
 * first, or a wrong token, is answered UNAUTHORIZED and the connection closed. With TLS, the port speaks
 * nothing else.
 */
public final class ClientServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClientServer.class);

    private final String nodeId;
    private final KvService kv;
    private final Function<String, String> clientAddressOf;
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    private final Channel channel;
    private final int maxInFlight;
    private final AtomicInteger highestInFlight = new AtomicInteger();
    private final NodeMetrics metrics;
    private final AtomicLong readPauses = new AtomicLong();
    private final Tokens tokens;
    private final long maxBytesPerConnection;
    private final ConnectionCount connections;
    private final InFlightBudget budget;
    private final AtomicLong highestConnectionBytes = new AtomicLong();

    /** The default of {@code --client-max-in-flight}: enough to keep a pipelining client busy, small enough to bound memory. */
    public static final int DEFAULT_MAX_IN_FLIGHT = 1024;

    /**
     * @param clientAddressOf a member id's client address ("host:port"), or null if unknown
     * @param maxInFlight     requests served at once per connection before reading from it pauses
     */
    public ClientServer(String nodeId, InetSocketAddress bind, KvService kv, Function<String, String> clientAddressOf,
                        int maxInFlight) throws InterruptedException {
        this(nodeId, bind, kv, clientAddressOf, maxInFlight, Tokens.NONE, null);
    }

    /**
     * @param tokens what a connection must present first ({@link Tokens#NONE}: nothing)
     * @param tls    the port's TLS, or null for plain TCP
     */
    public ClientServer(String nodeId, InetSocketAddress bind, KvService kv, Function<String, String> clientAddressOf,
                        int maxInFlight, Tokens tokens, SslContext tls) throws InterruptedException {
        this(nodeId, bind, kv, clientAddressOf, maxInFlight, tokens, tls, EdgeLimits.defaults(),
                InFlightBudget.of(EdgeLimits.defaults()));
    }

    /**
     * @param edge   the connection cap and the bytes one connection may hold
     * @param budget what the node holds for its clients, shared with the HTTP port
     */
    ClientServer(String nodeId, InetSocketAddress bind, KvService kv, Function<String, String> clientAddressOf,
                 int maxInFlight, Tokens tokens, SslContext tls, EdgeLimits edge, InFlightBudget budget)
            throws InterruptedException {
        this(nodeId, bind, kv, clientAddressOf, maxInFlight, tokens, tls, edge, budget, new NodeMetrics(kv.server(), budget, null));
    }

    /** @param metrics where each request served is counted and timed */
    ClientServer(String nodeId, InetSocketAddress bind, KvService kv, Function<String, String> clientAddressOf,
                 int maxInFlight, Tokens tokens, SslContext tls, EdgeLimits edge, InFlightBudget budget, NodeMetrics metrics)
            throws InterruptedException {
        this.metrics = metrics;
        if (maxInFlight < 1) throw new IllegalArgumentException("maxInFlight " + maxInFlight);
        this.maxBytesPerConnection = edge.clientMaxInFlightBytes();
        this.connections = new ConnectionCount(edge.clientMaxConnections());
        this.budget = budget;
        this.tokens = tokens;
        this.nodeId = nodeId;
        this.kv = kv;
        this.clientAddressOf = clientAddressOf;
        this.maxInFlight = maxInFlight;
        int maxFrame = ClientProtocol.maxFrameBytes(kv.limits().maxValueBytes());
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new FrameDecoder(maxFrame), new Handler());
                        if (tls != null) Tls.addServer(ch.pipeline(), tls, "client port of " + nodeId, () -> { });
                    }
                });
        this.channel = b.bind(bind).sync().channel();
    }

    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    /** The most requests any one connection has had in flight at once so far; never above the cap. */
    public int highestInFlight() {
        return highestInFlight.get();
    }

    /** The most bytes (requests read, answers not yet written) any one connection has held at once so far. */
    public long highestConnectionBytes() {
        return highestConnectionBytes.get();
    }

    /** How often reading from a connection was paused because it reached the cap or stopped reading answers. */
    public long readPauses() {
        return readPauses.get();
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    /** A decoded request waiting to be served, with the bytes its frame took. */
    private record Pending(ClientRequest request, int frameBytes) {
    }

    /**
     * One per connection; every field is touched on the connection's event loop only. Requests decoded
     * while the connection is at its cap wait in {@code waiting}: that holds at most what one socket read
     * brought in (reading is off from then on), so it stays small and bounded. {@code bytesHeld} counts the
     * frames of requests read and not yet answered, and of answers not yet written out.
     */
    private final class Handler extends SimpleChannelInboundHandler<ByteBuf> {
        private final ArrayDeque<Pending> waiting = new ArrayDeque<>();
        private int inFlight;
        private long bytesHeld;
        private boolean paused;
        private boolean counted;
        private boolean authenticated = !tokens.protectsData();

        @Override
        public void channelActive(ChannelHandlerContext ctx) throws Exception {
            if (!connections.tryOpen()) {
                if (connections.shouldWarn()) {
                    LOG.warn("client port at its cap of {} connections (--client-max-connections): closing {} ({} refused so far)",
                            connections.max(), ctx.channel().remoteAddress(), connections.refused());
                }
                ctx.channel().config().setAutoRead(false);
                ctx.close();
                return;
            }
            counted = true;
            super.channelActive(ctx);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            if (counted) connections.closed();
            counted = false;
            super.channelInactive(ctx);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf body) {
            int frameBytes = body.readableBytes() + 4;
            ClientRequest request;
            try {
                request = ClientCodec.decodeRequest(body);
            } catch (UnreadableRequestException e) {
                // the frame is sound, so the connection carries on; but a connection that has not proven a token
                // gets nothing but UNAUTHORIZED, whatever it sends
                if (!authenticated) refuseUnauthenticated(ctx, e.op(), e.requestId(), "no token: the first request must be AUTH");
                else ctx.writeAndFlush(ClientCodec.encodeResponse(ctx.alloc(), e.op(),
                        ClientResponse.error(e.requestId(), Status.BAD_REQUEST, e.getMessage())));
                return;
            } catch (MalformedFrameException e) {
                LOG.warn("closing client connection {}: malformed request: {}", ctx.channel().remoteAddress(), e.getMessage());
                ctx.close();
                return;
            }
            if (request.op() == Op.AUTH || !authenticated) {
                authenticate(ctx, request);
                return;
            }
            waiting.add(new Pending(request, frameBytes));
            hold(frameBytes);
            dispatch(ctx);
        }

        private void hold(long bytes) {
            bytesHeld += bytes;
            highestConnectionBytes.accumulateAndGet(bytesHeld, Math::max);
        }

        private void authenticate(ChannelHandlerContext ctx, ClientRequest request) {
            String token = request.op() == Op.AUTH ? new String(request.value(), java.nio.charset.StandardCharsets.UTF_8) : null;
            if (tokens.accessOf(token) != Tokens.Access.NONE) {
                authenticated = true;
                ctx.writeAndFlush(ClientCodec.encodeResponse(ctx.alloc(), Op.AUTH, ClientResponse.ok(request.requestId(), null)));
                return;
            }
            String why = token == null ? "no token: the first request must be AUTH" : "unknown token";
            refuseUnauthenticated(ctx, request.op(), request.requestId(), why);
        }

        private void refuseUnauthenticated(ChannelHandlerContext ctx, Op op, long requestId, String why) {
            LOG.warn("closing client connection {}: {}", ctx.channel().remoteAddress(), why);
            ctx.writeAndFlush(ClientCodec.encodeResponse(ctx.alloc(), op,
                            ClientResponse.error(requestId, Status.UNAUTHORIZED, why)))
                    .addListener(io.netty.channel.ChannelFutureListener.CLOSE);
            ctx.channel().config().setAutoRead(false); // nothing more is read from it
        }

        /** Starts what the caps allow, then pauses or resumes reading to match. */
        private void dispatch(ChannelHandlerContext ctx) {
            while (inFlight < maxInFlight && !waiting.isEmpty()) start(ctx, waiting.poll());
            boolean writable = ctx.channel().isWritable();
            boolean full = inFlight >= maxInFlight || !waiting.isEmpty() || bytesHeld >= maxBytesPerConnection;
            if (!paused && (full || !writable)) {
                paused = true;
                readPauses.incrementAndGet();
                ctx.channel().config().setAutoRead(false);
            } else if (paused && waiting.isEmpty() && inFlight <= maxInFlight / 2 && bytesHeld <= maxBytesPerConnection / 2
                    && writable) {
                // half, not one below the cap: a connection at its limit would otherwise toggle on every answer
                paused = false;
                ctx.channel().config().setAutoRead(true);
            }
        }

        private void start(ChannelHandlerContext ctx, Pending p) {
            ClientRequest request = p.request();
            InFlightBudget.Ticket ticket = budget.tryAdmit(p.frameBytes());
            if (ticket == null) {
                // answered before anything is proposed: the client may retry it, and it holds nothing meanwhile
                respond(ctx, p, null, ClientResponse.error(request.requestId(), Status.OVERLOADED,
                        "the node holds as many client requests as it may (--max-in-flight-bytes, --max-in-flight-requests);"
                                + " this one was not proposed: retry after a pause"));
                return;
            }
            inFlight++;
            highestInFlight.accumulateAndGet(inFlight, Math::max);
            long started = System.nanoTime();
            CompletableFuture<ClientResponse> answer;
            try {
                answer = serve(request);
            } catch (RuntimeException e) {
                answer = CompletableFuture.failedFuture(e);
            }
            answer.exceptionally(e -> errorResponse(request, Failure.of(e), nodeId, clientAddressOf))
                    .thenAccept(r -> {
                        metrics.binaryRequest(request, r.status(), System.nanoTime() - started);
                        ctx.executor().execute(() -> finish(ctx, p, ticket, r));
                    });
        }

        private void finish(ChannelHandlerContext ctx, Pending p, InFlightBudget.Ticket ticket, ClientResponse r) {
            inFlight--;
            respond(ctx, p, ticket, r);
            dispatch(ctx);
        }

        /** Writes an answer; the request's bytes and the answer's are held (here and in the budget) until it is out. */
        private void respond(ChannelHandlerContext ctx, Pending p, InFlightBudget.Ticket ticket, ClientResponse r) {
            if (!ctx.channel().isActive()) {
                bytesHeld -= p.frameBytes();
                if (ticket != null) ticket.release();
                return;
            }
            ByteBuf frame = ClientCodec.encodeResponse(ctx.alloc(), p.request().op(), r);
            int answerBytes = frame.readableBytes();
            hold(answerBytes);
            if (ticket != null) ticket.grow(answerBytes);
            ctx.writeAndFlush(frame).addListener(f -> {
                bytesHeld -= p.frameBytes() + answerBytes;
                if (ticket != null) ticket.release();
                dispatch(ctx);
            });
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            dispatch(ctx);
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.warn("client connection {} closed: {}", ctx.channel().remoteAddress(), cause.toString());
            ctx.close();
        }
    }

    CompletableFuture<ClientResponse> serve(ClientRequest r) {
        long id = r.requestId();
        return switch (r.op()) {
            case PUT -> kv.write(new KvCommand.Put(checkClient(r), r.seq(), r.key(), r.value()))
                    .thenApply(result -> ClientResponse.ok(id, result));
            case DELETE -> kv.write(new KvCommand.Delete(checkClient(r), r.seq(), r.key()))
                    .thenApply(result -> ClientResponse.ok(id, result));
            case CAS -> kv.write(new KvCommand.Cas(checkClient(r), r.seq(), r.key(), r.expect(), r.value()))
                    .thenApply(result -> ((KvResult.CasDone) result).ok()
                            ? ClientResponse.ok(id, result) : ClientResponse.of(id, Status.CAS_FAILED, result));
            case GET -> kv.get(r.key(), r.consistency())
                    .thenApply(v -> v.value() == null ? ClientResponse.of(id, Status.NOT_FOUND, v) : ClientResponse.ok(id, v));
            case RANGE -> kv.range(r.query(), r.consistency()).thenApply(result -> ClientResponse.ok(id, result));
            case DELETE_RANGE, TXN -> {
                checkClient(r); // the decoder put the command under the frame's (client id, seq)
                yield kv.write(r.command()).thenApply(result -> ClientResponse.ok(id, result));
            }
            case AUTH -> CompletableFuture.completedFuture(ClientResponse.ok(id, null)); // answered before serving
            case STATUS -> kv.status().thenApply(s -> ClientResponse.status(id, new ClientResponse.NodeStatus(s.id(),
                    s.role().label(), s.term(), s.leader(), s.leader() == null ? null : clientAddressOf.apply(s.leader()))));
        };
    }

    /** De-duplication is per client id: an empty one would make unrelated clients each other's retries. */
    private static String checkClient(ClientRequest r) {
        if (r.clientId().isEmpty()) throw new KvLimits.Violation("a write needs a client id", false);
        if (r.seq() < 1) throw new KvLimits.Violation("a write's seq must be >= 1, got " + r.seq(), false);
        return r.clientId();
    }

    /**
     * The binary protocol's words for a {@link Failure}. A follower that knows the leader names it (with its client
     * address) rather than forwarding; a failure nobody foresaw answers a write "outcome unknown", since it may or
     * may not have been proposed.
     */
    static ClientResponse errorResponse(ClientRequest r, Failure f, String nodeId, Function<String, String> clientAddressOf) {
        long id = r.requestId();
        if (f instanceof Failure.Invalid i) return ClientResponse.error(id, Status.BAD_REQUEST, i.message());
        if (f instanceof Failure.TooLarge t) return ClientResponse.error(id, Status.TOO_LARGE, t.message());
        if (f instanceof Failure.NoLeader n) return ClientResponse.error(id, Status.NOT_APPLIED, n.message());
        if (f instanceof Failure.NotApplied n) {
            String leader = n.leaderHint();
            if (leader != null && !leader.equals(nodeId)) return ClientResponse.notLeader(id, leader, clientAddressOf.apply(leader));
            return ClientResponse.error(id, Status.NOT_APPLIED, n.message());
        }
        if (f instanceof Failure.OutcomeUnknown o) return ClientResponse.error(id, Status.OUTCOME_UNKNOWN, o.message());
        // Refused is HTTP's (membership routes): reaching the binary port it is as unforeseen as anything else
        Throwable error = f instanceof Failure.Unexpected u ? u.error() : new IllegalStateException(f.toString());
        LOG.error("unexpected error answering a {} request", r.op(), error);
        return ClientResponse.error(id, r.op().isWrite() ? Status.OUTCOME_UNKNOWN : Status.NOT_APPLIED, f.message());
    }

}
