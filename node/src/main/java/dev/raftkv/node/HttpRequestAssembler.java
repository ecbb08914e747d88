package dev.raftkv.node;

import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMessageDecoderResult;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;

import java.util.function.BooleanSupplier;

/**
 * Turns what the HTTP decoder produces (a head, then body pieces) into {@link HttpIncoming}s: whole requests,
 * or the answers to requests it refuses. It replaces Netty's HttpObjectAggregator, which passed decoder
 * failures on as if they were requests (a 4 KiB key, {@code GARBAGE}, a negative Content-Length all reached
 * the router, as {@code /bad-request} or with an empty body) and answered 413 itself with no body and out of
 * pipeline order.
 *
 * <ul>
 *   <li>A decoder failure is answered 414 (request line too long), 431 (headers too large) or 400, and the
 *       connection closes after it: the decoder has lost its place in the byte stream.</li>
 *   <li>A declared body over the limit is answered 413 before it arrives (instead of {@code 100 Continue});
 *       one that turns out too large while arriving (chunked) is answered 413 too. Its bytes are read and
 *       dropped, so the connection can carry the next request.</li>
 *   <li>A request the node has no room for ({@link InFlightBudget}) is answered 503 overloaded, its body dropped.</li>
 * </ul>
 * One instance per connection, used on its event loop only.
 */
final class HttpRequestAssembler extends ChannelInboundHandlerAdapter {
    private final int maxBodyBytes;
    private final int maxInitialLineBytes;
    private final int maxHeaderBytes;
    private final InFlightBudget budget;
    /** Whether no earlier request on the connection awaits its answer: only then may {@code 100 Continue} be sent. */
    private final BooleanSupplier nothingPending;

    private HttpRequest head;
    private CompositeByteBuf body;
    private InFlightBudget.Ticket ticket;
    /** The body of a refused request is still arriving: drop it up to its end. */
    private boolean discarding;
    /** After a decoder failure nothing more on this connection can be understood. */
    private boolean broken;

    HttpRequestAssembler(int maxBodyBytes, int maxInitialLineBytes, int maxHeaderBytes, InFlightBudget budget,
                         BooleanSupplier nothingPending) {
        this.maxBodyBytes = maxBodyBytes;
        this.maxInitialLineBytes = maxInitialLineBytes;
        this.maxHeaderBytes = maxHeaderBytes;
        this.budget = budget;
        this.nothingPending = nothingPending;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (broken) return;
            if (msg instanceof HttpRequest h && !onHead(ctx, h)) return;
            if (msg instanceof HttpContent c) onContent(ctx, c);
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    /** @return whether the body that follows (or is in the same message) is to be read */
    private boolean onHead(ChannelHandlerContext ctx, HttpRequest h) {
        if (h.decoderResult().isFailure()) {
            fail(ctx, h.decoderResult());
            return false;
        }
        discardCurrent();
        // a client that waits for 100 Continue and gets a refusal will not send the body the decoder expects
        // next: only a closed connection keeps its next request from being read as that body
        boolean keepAlive = HttpUtil.isKeepAlive(h) && !HttpUtil.is100ContinueExpected(h);
        long declared = HttpUtil.getContentLength(h, -1L); // the decoder refused a bad or negative one
        if (declared > maxBodyBytes) {
            refuse(ctx, HttpApi.Reply.error(413, "too_large", "the body has " + declared + " bytes; the limit is "
                    + maxBodyBytes + " (the largest value, --max-value-bytes, and room for a CAS)"), !keepAlive, true);
            discarding = true;
            return false;
        }
        long headBytes = h.decoderResult() instanceof HttpMessageDecoderResult r ? r.totalSize() : h.uri().length();
        long bodyBytes = declared >= 0 ? declared : HttpUtil.isTransferEncodingChunked(h) ? maxBodyBytes : 0;
        ticket = budget.tryAdmit(headBytes + bodyBytes);
        if (ticket == null) {
            refuse(ctx, HttpApi.Reply.error(503, "overloaded", "the node is serving as many requests as it may hold;"
                    + " nothing was applied: retry after a pause"), !keepAlive, true);
            discarding = true;
            return false;
        }
        if (HttpUtil.is100ContinueExpected(h) && nothingPending.getAsBoolean()) {
            ctx.writeAndFlush(new DefaultFullHttpResponse(h.protocolVersion(), HttpResponseStatus.CONTINUE));
        }
        head = h;
        body = ctx.alloc().compositeBuffer();
        return true;
    }

    private void onContent(ChannelHandlerContext ctx, HttpContent c) {
        boolean last = c instanceof LastHttpContent;
        if (c.decoderResult().isFailure()) {
            discardCurrent();
            fail(ctx, c.decoderResult());
            return;
        }
        if (discarding) {
            if (last) {
                discarding = false;
                ctx.fireChannelRead(new HttpIncoming.BodyDropped());
            }
            return;
        }
        if (head == null) return;
        if (body.readableBytes() + (long) c.content().readableBytes() > maxBodyBytes) {
            boolean keepAlive = HttpUtil.isKeepAlive(head);
            discardCurrent();
            refuse(ctx, HttpApi.Reply.error(413, "too_large", "the body is longer than " + maxBodyBytes
                    + " bytes (the largest value, --max-value-bytes, and room for a CAS)"), !keepAlive, !last);
            discarding = !last;
            return;
        }
        if (c.content().isReadable()) body.addComponent(true, c.content().retain());
        if (!last) return;
        FullHttpRequest full = new DefaultFullHttpRequest(head.protocolVersion(), head.method(), head.uri(), body,
                head.headers(), ((LastHttpContent) c).trailingHeaders());
        HttpIncoming.Request request = new HttpIncoming.Request(full, ticket);
        head = null;
        body = null;
        ticket = null;
        ctx.fireChannelRead(request);
    }

    private void fail(ChannelHandlerContext ctx, DecoderResult result) {
        broken = true;
        refuse(ctx, decoderFailure(result.cause()), true, false);
    }

    /** The answer to a request the decoder could not read: its status says which limit, or that it is not HTTP. */
    private HttpApi.Reply decoderFailure(Throwable cause) {
        if (cause instanceof TooLongHttpLineException) {
            return HttpApi.Reply.error(414, "uri_too_long", "the request line is longer than " + maxInitialLineBytes
                    + " bytes (room for the longest key, --max-key-bytes, percent-encoded)");
        }
        if (cause instanceof TooLongHttpHeaderException) {
            return HttpApi.Reply.error(431, "headers_too_large", "the request headers are larger than " + maxHeaderBytes
                    + " bytes (--http-max-header-bytes)");
        }
        String why = cause == null || cause.getMessage() == null ? "" : " (" + cause.getMessage() + ")";
        return HttpApi.Reply.error(400, "bad_request", "malformed HTTP request" + why);
    }

    private void refuse(ChannelHandlerContext ctx, HttpApi.Reply reply, boolean close, boolean bodyFollows) {
        ctx.fireChannelRead(new HttpIncoming.Refusal(reply, close, bodyFollows));
    }

    /** Drops a request that was being assembled, with its share of the budget. */
    private void discardCurrent() {
        if (body != null) body.release();
        if (ticket != null) ticket.release();
        head = null;
        body = null;
        ticket = null;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        discardCurrent();
        super.channelInactive(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        discardCurrent();
    }
}
