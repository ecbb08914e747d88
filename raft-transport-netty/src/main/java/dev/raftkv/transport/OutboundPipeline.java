package dev.raftkv.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.util.AttributeKey;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.ssl.SslContext;

import java.net.InetSocketAddress;

/**
 * How every outbound peer connection is set up, a lasting one ({@link PeerConnection}) or a probe
 * ({@link NettyTransport#prove}): TLS when configured, frames no larger than a handshake frame (the dialed
 * node sends nothing else), and the handshake before anything is sent.
 */
final class OutboundPipeline {
    private final Handshake handshake;
    private final RaftCodec codec;
    private final TransportOptions options;
    private final SslContext tls; // null: plain TCP
    private final Runnable onBadLength;

    OutboundPipeline(Handshake handshake, RaftCodec codec, TransportOptions options, SslContext tls, Runnable onBadLength) {
        this.handshake = handshake;
        this.codec = codec;
        this.options = options;
        this.tls = tls;
        this.onBadLength = onBadLength;
    }

    /**
     * Each channel's handler, kept as an attribute: a peer that refuses at once closes the channel, and Netty
     * empties a closed channel's pipeline, sometimes before the connect listener runs (pipeline().get() then
     * returned null, and a probe under load never completed).
     */
    private static final AttributeKey<OutboundPeerHandler> HANDLER = AttributeKey.valueOf("raftkv.outbound");

    /** The handler {@link #forPeer} gave this channel, whether or not it is still in the pipeline. */
    static OutboundPeerHandler handlerOf(Channel ch) {
        return ch.attr(HANDLER).get();
    }

    ChannelInitializer<SocketChannel> forPeer(String peerId, InetSocketAddress address) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                OutboundPeerHandler handler = new OutboundPeerHandler(peerId, handshake, codec, options);
                ch.attr(HANDLER).set(handler);
                // flushes from many sends in a burst become one syscall
                ch.pipeline().addLast(new FrameDecoder(WireFormat.MAX_HANDSHAKE_FRAME_BYTES, onBadLength),
                        new FlushConsolidationHandler(256, true), handler);
                if (tls != null) Tls.addClient(ch.pipeline(), tls, address, "raft connection to " + peerId);
            }
        };
    }
}
