package dev.raftkv.client;

import dev.raftkv.transport.FrameDecoder;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/** A stand-in member on 127.0.0.1 that answers as a test scripts it (null: never answer) and records every request. */
final class FakeClientServer implements AutoCloseable {
    final List<ClientRequest> received = new CopyOnWriteArrayList<>();
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel channel;
    /** What else closes with this member (a relay's connection). */
    private AutoCloseable alsoClose = () -> { };

    FakeClientServer(Function<ClientRequest, ClientResponse> answer) throws InterruptedException {
        channel = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new FrameDecoder(1 << 20), new SimpleChannelInboundHandler<ByteBuf>() {
                            @Override
                            protected void channelRead0(ChannelHandlerContext ctx, ByteBuf body) throws Exception {
                                ClientRequest r = ClientCodec.decodeRequest(body);
                                received.add(r);
                                ClientResponse out = answer.apply(r);
                                if (out != null) ctx.writeAndFlush(ClientCodec.encodeResponse(ctx.alloc(), r.op(), out));
                            }
                        });
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    }

    /**
     * A member that relays each request to {@code node} and answers with the node's answer, except that it reports
     * the first as OUTCOME_UNKNOWN: what a client sees when a leader applied a write and the answer was lost. The
     * client's retry must carry the same (client id, seq) for the write to be applied once.
     */
    static FakeClientServer losingFirstAnswer(InetSocketAddress node) throws Exception {
        EventLoopGroup relayGroup = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        AutoCloseable stopGroup = () -> relayGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
        ClientConnection relay;
        try {
            relay = ClientConnection.connect(relayGroup, node, 1 << 20, 1000).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            stopGroup.close();
            throw e;
        }
        AtomicInteger answers = new AtomicInteger();
        FakeClientServer flaky = new FakeClientServer(r -> {
            ClientResponse real = relay.send(r).join();
            return answers.incrementAndGet() == 1 ? ClientResponse.error(r.requestId(), ClientProtocol.Status.OUTCOME_UNKNOWN, "lost") : real;
        });
        flaky.alsoClose = () -> {
            relay.close();
            stopGroup.close();
        };
        return flaky;
    }

    InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
        try {
            alsoClose.close();
        } catch (Exception e) {
            throw new IllegalStateException("closing the relay", e);
        }
    }
}
