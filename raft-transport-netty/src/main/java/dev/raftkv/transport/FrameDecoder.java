package dev.raftkv.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * Splits the inbound byte stream into frame bodies ({@link Framing}): the one decoder of both the peer
 * transport and the binary client protocol, which share the framing. A bad length prefix closes the
 * connection at once, with the reason logged: the stream can no longer be trusted to resynchronise,
 * and waiting for a 2 GiB "frame" would only hold memory.
 *
 * <p>A peer connection starts at the small pre-handshake limit and is raised to the full one by
 * {@link #limit} once the peer has proven who it is; a client connection keeps one limit throughout.
 */
public final class FrameDecoder extends ByteToMessageDecoder {
    private static final Logger log = LoggerFactory.getLogger(FrameDecoder.class);

    private int maxBodyBytes;
    private final Runnable onBadLength;
    private boolean broken;

    /** A decoder that accepts bodies of 1..{@code maxBodyBytes} for the connection's whole life. */
    public FrameDecoder(int maxBodyBytes) {
        this(maxBodyBytes, () -> { });
    }

    /** @param onBadLength told of each connection closed for its length prefix (the transport counts them) */
    FrameDecoder(int maxBodyBytes, Runnable onBadLength) {
        this.maxBodyBytes = maxBodyBytes;
        this.onBadLength = onBadLength;
    }

    /** From now on frames up to {@code maxBodyBytes} are accepted (once a peer has proven who it is). */
    void limit(int maxBodyBytes) {
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (broken) {
            in.skipBytes(in.readableBytes());
            return;
        }
        try {
            ByteBuf body = Framing.readFrame(in, maxBodyBytes);
            if (body != null) out.add(body);
        } catch (MalformedFrameException e) {
            broken = true;
            onBadLength.run();
            in.skipBytes(in.readableBytes());
            log.warn("closing connection with {}: {}", ctx.channel().remoteAddress(), e.getMessage());
            ctx.close();
        }
    }
}
