package dev.raftkv.node;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One HTTP connection, after its requests have been assembled ({@link HttpRequestAssembler}): serves them and
 * writes the answers <em>in request order</em> (HTTP/1.1 pipelining: a client matches answers to requests by
 * position; answering as they finished swapped them), and enforces the connection's limits:
 * <ul>
 *   <li>at most {@link #MAX_PIPELINED} requests waiting for their answers; beyond that it stops reading, so a
 *       client that pipelines without bound is held back by TCP;</li>
 *   <li>a request must arrive in full within the read timeout of its first byte, or it is answered 408 and the
 *       connection closed (a slowloris client dripping headers, a body shorter than its Content-Length);</li>
 *   <li>a connection with nothing to do for the idle timeout is closed;</li>
 *   <li>past the port's connection cap a new connection is answered 503 and closed.</li>
 * </ul>
 * One instance per connection; all state is touched on the connection's event loop only.
 */
final class HttpConnection extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(HttpConnection.class);
    /** Requests of one connection read ahead of their answers; a pipelining client needs few, and each may hold an answer. */
    static final int MAX_PIPELINED = 16;

    /** What serves a whole request (HttpApi); it copies what it needs before returning. */
    interface Service {
        CompletableFuture<HttpApi.Reply> answer(FullHttpRequest request);

        HttpApi.Reply errorReply(Throwable error);
    }

    /** One request in order: its answer once known, and what it holds of the node's budget. */
    private static final class Slot {
        final boolean keepAlive;
        final InFlightBudget.Ticket ticket;
        HttpApi.Reply reply;
        boolean close;

        Slot(boolean keepAlive, InFlightBudget.Ticket ticket) {
            this.keepAlive = keepAlive;
            this.ticket = ticket;
        }
    }

    private final Service service;
    private final ConnectionCount connections;
    private final long readTimeoutNanos;
    private final long idleTimeoutNanos;
    private final ArrayDeque<Slot> slots = new ArrayDeque<>();
    private ChannelHandlerContext ctx;
    private boolean counted;
    /** An answer that closes the connection has been queued: nothing read after it is served. */
    private boolean closing;
    private boolean paused;
    /** Bytes of a request that has not arrived in full have been read. */
    private boolean receiving;
    private ScheduledFuture<?> readDeadline;
    private ScheduledFuture<?> idleTimer;

    HttpConnection(Service service, ConnectionCount connections, Duration readTimeout, Duration idleTimeout) {
        this.service = service;
        this.connections = connections;
        this.readTimeoutNanos = readTimeout.toNanos();
        this.idleTimeoutNanos = idleTimeout.toNanos();
    }

    /**
     * Sets up one HTTP connection's pipeline: the arrivals watch, the decoder with its line and header limits, the
     * assembler with its body limit and the node's budget, then the connection itself, serving {@code service}.
     */
    static void install(ChannelPipeline pipeline, Service service, ConnectionCount connections, EdgeLimits edge,
                        InFlightBudget budget, int maxBodyBytes, int maxRequestLineBytes) {
        HttpDecoderConfig decoding = new HttpDecoderConfig()
                .setMaxInitialLineLength(maxRequestLineBytes)
                .setMaxHeaderSize(edge.httpMaxHeaderBytes());
        HttpConnection connection = new HttpConnection(service, connections, edge.httpReadTimeout(), edge.httpIdleTimeout());
        pipeline.addLast(connection.arrivals(), new HttpServerCodec(decoding),
                new HttpRequestAssembler(maxBodyBytes, maxRequestLineBytes, edge.httpMaxHeaderBytes(), budget,
                        connection::nothingPending),
                connection);
    }

    /** The handler that goes before the HTTP decoder: it sees the first byte of each request, which starts its read timeout. */
    ChannelHandler arrivals() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext c, Object msg) {
                if (msg instanceof ByteBuf b && b.isReadable() && !receiving && !closing) {
                    receiving = true;
                    cancelIdle();
                    armReadDeadline();
                }
                c.fireChannelRead(msg);
            }
        };
    }

    /** Whether every request read so far has been answered (so that an interim 100 Continue is in order). */
    boolean nothingPending() {
        return slots.isEmpty();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        if (!connections.tryOpen()) {
            if (connections.shouldWarn()) {
                LOG.warn("HTTP port at its cap of {} connections (--http-max-connections): refusing {} ({} refused so far)",
                        connections.max(), ctx.channel().remoteAddress(), connections.refused());
            }
            closing = true;
            ctx.channel().config().setAutoRead(false);
            Slot s = new Slot(false, null);
            s.reply = HttpApi.Reply.error(503, "overloaded", "the node has as many HTTP connections open as it may ("
                    + connections.max() + "); nothing was read: retry after a pause");
            s.close = true;
            writeOut(s);
            return;
        }
        counted = true;
        updateIdle();
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (closing) {
            release(msg);
            return;
        }
        boolean requestOver = !(msg instanceof HttpIncoming.Refusal early && early.bodyFollows());
        if (requestOver) {
            receiving = false;
            cancelReadDeadline();
        }
        if (msg instanceof HttpIncoming.Request r) {
            if (!HttpUtil.isKeepAlive(r.request())) lastRequest();
            serve(r);
        } else if (msg instanceof HttpIncoming.Refusal refusal) {
            Slot s = new Slot(!refusal.close(), null);
            slots.add(s);
            if (refusal.close()) lastRequest();
            answered(s, refusal.reply(), refusal.close());
        } else if (!(msg instanceof HttpIncoming.BodyDropped)) {
            ReferenceCountUtil.release(msg);
        }
        updateReading();
        updateIdle();
    }

    /** The connection closes once the request just read is answered: read no more from it. */
    private void lastRequest() {
        closing = true;
        ctx.channel().config().setAutoRead(false);
    }

    private void serve(HttpIncoming.Request r) {
        FullHttpRequest request = r.request();
        Slot s = new Slot(HttpUtil.isKeepAlive(request), r.ticket());
        slots.add(s);
        CompletableFuture<HttpApi.Reply> reply;
        try {
            reply = service.answer(request);
        } catch (RuntimeException e) {
            reply = CompletableFuture.completedFuture(service.errorReply(e));
        } finally {
            request.release();
        }
        reply.whenComplete((answer, error) -> {
            HttpApi.Reply out = answer != null ? answer : service.errorReply(error);
            if (ctx.executor().inEventLoop()) answered(s, out, false);
            else ctx.executor().execute(() -> answered(s, out, false));
        });
    }

    private void answered(Slot s, HttpApi.Reply reply, boolean close) {
        s.reply = reply;
        s.close = close;
        if (!ctx.channel().isActive()) {
            if (s.ticket != null) s.ticket.release();
            return;
        }
        // the head of the line goes first; answers that finished behind it wait for it
        while (!slots.isEmpty() && slots.peek().reply != null) {
            Slot head = slots.poll();
            if (writeOut(head)) {
                closing = true;
                ctx.channel().config().setAutoRead(false);
                slots.forEach(later -> {
                    if (later.ticket != null) later.ticket.release();
                });
                slots.clear();
                break;
            }
        }
        updateReading();
        updateIdle();
    }

    /** @return whether the connection closes after this answer */
    private boolean writeOut(Slot s) {
        HttpApi.Reply r = s.reply;
        boolean close = s.close || !s.keepAlive;
        FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(r.status()),
                Unpooled.wrappedBuffer(r.body()));
        resp.headers().set(HttpHeaderNames.CONTENT_TYPE, r.contentType());
        r.headers().forEach((name, value) -> resp.headers().set(name, value));
        resp.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, r.body().length);
        if (r.status() == 503) resp.headers().set(HttpHeaderNames.RETRY_AFTER, "1");
        resp.headers().set(HttpHeaderNames.CONNECTION, close ? HttpHeaderValues.CLOSE : HttpHeaderValues.KEEP_ALIVE);
        if (s.ticket != null) s.ticket.grow(r.body().length);
        ChannelFuture written = ctx.writeAndFlush(resp);
        if (s.ticket != null) written.addListener(f -> s.ticket.release());
        if (close) written.addListener(ChannelFutureListener.CLOSE);
        return close;
    }

    /** Stops reading while the connection has as many requests waiting as it may, and while its answers are not read. */
    private void updateReading() {
        if (closing) return;
        boolean full = slots.size() >= MAX_PIPELINED || !ctx.channel().isWritable();
        if (full && !paused) {
            paused = true;
            ctx.channel().config().setAutoRead(false);
            cancelReadDeadline(); // a request we are not reading is not the client's delay
        } else if (!full && paused && slots.size() <= MAX_PIPELINED / 2) {
            paused = false;
            ctx.channel().config().setAutoRead(true);
            if (receiving) armReadDeadline();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        updateReading();
        super.channelWritabilityChanged(ctx);
    }

    private void armReadDeadline() {
        cancelReadDeadline();
        readDeadline = ctx.executor().schedule(this::readTimedOut, readTimeoutNanos, TimeUnit.NANOSECONDS);
    }

    private void cancelReadDeadline() {
        if (readDeadline != null) readDeadline.cancel(false);
        readDeadline = null;
    }

    private void readTimedOut() {
        readDeadline = null;
        if (!receiving || closing || paused || !ctx.channel().isActive()) return;
        receiving = false;
        LOG.debug("HTTP connection {}: a request did not arrive in full within {} ms", ctx.channel().remoteAddress(),
                TimeUnit.NANOSECONDS.toMillis(readTimeoutNanos));
        Slot s = new Slot(false, null);
        slots.add(s);
        lastRequest();
        answered(s, HttpApi.Reply.error(408, "request_timeout", "the request did not arrive in full within "
                + TimeUnit.NANOSECONDS.toMillis(readTimeoutNanos) + " ms of its first byte (--http-read-timeout-ms)"), true);
    }

    /** The idle timer runs while nothing is being read or answered. */
    private void updateIdle() {
        boolean idle = slots.isEmpty() && !receiving && !closing && ctx.channel().isActive();
        if (idle && idleTimer == null) {
            idleTimer = ctx.executor().schedule(() -> {
                idleTimer = null;
                if (slots.isEmpty() && !receiving && !closing) ctx.close();
            }, idleTimeoutNanos, TimeUnit.NANOSECONDS);
        } else if (!idle) {
            cancelIdle();
        }
    }

    private void cancelIdle() {
        if (idleTimer != null) idleTimer.cancel(false);
        idleTimer = null;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (counted) connections.closed();
        counted = false;
        cancelReadDeadline();
        cancelIdle();
        slots.forEach(s -> {
            if (s.ticket != null) s.ticket.release();
        });
        slots.clear();
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.warn("HTTP connection from {} closed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }

    private static void release(Object msg) {
        if (msg instanceof HttpIncoming.Request r) {
            r.request().release();
            if (r.ticket() != null) r.ticket().release();
        } else {
            ReferenceCountUtil.release(msg);
        }
    }
}
