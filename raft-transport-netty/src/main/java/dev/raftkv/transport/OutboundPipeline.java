package dev.raftkv.transport;

import io.netty.channel.ChannelInitializer;
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

    ChannelInitializer<SocketChannel> forPeer(String peerId, InetSocketAddress address) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                // flushes from many sends in a burst become one syscall
                ch.pipeline().addLast(new FrameDecoder(WireFormat.MAX_HANDSHAKE_FRAME_BYTES, onBadLength),
                        new FlushConsolidationHandler(256, true), new OutboundPeerHandler(peerId, handshake, codec, options));
                if (tls != null) Tls.addClient(ch.pipeline(), tls, address, "raft connection to " + peerId);
            }
        };
    }
}
