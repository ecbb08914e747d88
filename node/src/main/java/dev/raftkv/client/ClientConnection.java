package dev.raftkv.client;

import dev.raftkv.transport.FrameDecoder;
import dev.raftkv.transport.MalformedFrameException;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import dev.raftkv.transport.Tls;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One connection to one member, carrying many requests at once: each waits in {@code pending} under its
 * request id until its answer arrives. When the connection ends, every waiting request fails with
 * {@link ConnectionLostException} (possibly received: it was sent).
 */
public final class ClientConnection implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClientConnection.class);

    private record Pending(ClientProtocol.Op op, CompletableFuture<ClientResponse> answer) {
    }

    private final InetSocketAddress address;
    private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
    private volatile Channel channel;

    private ClientConnection(InetSocketAddress address) {
        this.address = address;
    }

    public static CompletableFuture<ClientConnection> connect(EventLoopGroup group, InetSocketAddress address,
                                                              int maxFrameBytes, int connectTimeoutMillis) {
        return connect(group, address, maxFrameBytes, connectTimeoutMillis, null, null);
    }

    /**
     * Connects and, with {@code tls}, completes the TLS handshake; with {@code token}, sends AUTH first and
     * completes only once the node accepted it ({@link UnauthorizedException} if it did not).
     */
    public static CompletableFuture<ClientConnection> connect(EventLoopGroup group, InetSocketAddress address,
                                                              int maxFrameBytes, int connectTimeoutMillis,
                                                              SslContext tls, String token) {
        ClientConnection c = new ClientConnection(address);
        CompletableFuture<ClientConnection> result = new CompletableFuture<>();
        new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new FrameDecoder(maxFrameBytes), c.new Inbound());
                        if (tls != null) Tls.addClient(ch.pipeline(), tls, address, "client connection to " + address);
                    }
                })
                .connect(address)
                .addListener((ChannelFuture f) -> {
                    if (!f.isSuccess()) {
                        result.completeExceptionally(new ConnectionLostException("cannot connect to " + address + ": "
                                + f.cause().getMessage(), false, f.cause()));
                        return;
                    }
                    c.channel = f.channel();
                    c.secured().thenCompose(v -> token == null ? CompletableFuture.completedFuture(null) : c.authenticate(token))
                            .whenComplete((v, e) -> {
                                if (e == null) {
                                    result.complete(c);
                                } else {
                                    c.close();
                                    result.completeExceptionally(e instanceof CompletionException && e.getCause() != null
                                            ? e.getCause() : e);
                                }
                            });
                });
        return result;
    }

    /** Completes once the TLS handshake did (at once without TLS). */
    private CompletableFuture<Void> secured() {
        SslHandler ssl = channel.pipeline().get(SslHandler.class);
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (ssl == null) {
            done.complete(null);
        } else {
            ssl.handshakeFuture().addListener(f -> {
                if (f.isSuccess()) done.complete(null);
                else done.completeExceptionally(new ConnectionLostException("TLS handshake with " + address + " failed: "
                        + Tls.describe(f.cause()), false, f.cause()));
            });
        }
        return done;
    }

    private CompletableFuture<Void> authenticate(String token) {
        return send(ClientRequest.auth(AUTH_REQUEST_ID, token)).thenAccept(r -> {
            if (r.status() != ClientProtocol.Status.OK) {
                throw new UnauthorizedException(address + " refused the token: " + r.message());
            }
        });
    }

    /** The AUTH request's id: it is answered before any other request is sent on the connection. */
    private static final long AUTH_REQUEST_ID = -1;

    public InetSocketAddress address() {
        return address;
    }

    public boolean isActive() {
        Channel ch = channel;
        return ch != null && ch.isActive();
    }

    /** Sends a request; its request id must not be waiting on this connection already. */
    public CompletableFuture<ClientResponse> send(ClientRequest request) {
        CompletableFuture<ClientResponse> answer = new CompletableFuture<>();
        Channel ch = channel;
        if (ch == null || !ch.isActive()) {
            answer.completeExceptionally(new ConnectionLostException("not connected to " + address, false, null));
            return answer;
        }
        ByteBuf frame;
        try {
            frame = ClientCodec.encodeRequest(ch.alloc(), request);
        } catch (RuntimeException e) {
            answer.completeExceptionally(e);
            return answer;
        }
        pending.put(request.requestId(), new Pending(request.op(), answer));
        ch.writeAndFlush(frame).addListener(f -> {
            if (!f.isSuccess() && pending.remove(request.requestId()) != null) {
                answer.completeExceptionally(new ConnectionLostException("sending to " + address + " failed: "
                        + f.cause().getMessage(), false, f.cause()));
            }
        });
        // the channel may have closed between the check and the put: its inactive handler then missed us
        if (!ch.isActive() && pending.remove(request.requestId()) != null) {
            answer.completeExceptionally(new ConnectionLostException("connection to " + address + " closed", true, null));
        }
        return answer;
    }

    /** Forgets a request whose caller stopped waiting (its answer, if any, is dropped). */
    public void abandon(long requestId) {
        pending.remove(requestId);
    }

    @Override
    public void close() {
        Channel ch = channel;
        if (ch != null) ch.close();
    }

    private void failAll(String why) {
        for (Long id : pending.keySet()) {
            Pending p = pending.remove(id);
            if (p != null) p.answer().completeExceptionally(new ConnectionLostException(why, true, null));
        }
    }

    private final class Inbound extends SimpleChannelInboundHandler<ByteBuf> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf body) {
            try {
                long id = ClientCodec.peekRequestId(body);
                Pending p = pending.remove(id);
                if (p == null) return; // abandoned: its caller gave up on it
                try {
                    p.answer().complete(ClientCodec.decodeResponse(body, p.op()));
                } catch (MalformedFrameException e) {
                    p.answer().completeExceptionally(new ConnectionLostException("malformed answer from " + address, true, e));
                    throw e;
                }
            } catch (MalformedFrameException e) {
                LOG.warn("closing connection to {}: malformed answer: {}", address, e.getMessage());
                ctx.close();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            failAll("connection to " + address + " closed");
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.debug("connection to {} failed: {}", address, cause.toString());
            ctx.close();
        }
    }
}
