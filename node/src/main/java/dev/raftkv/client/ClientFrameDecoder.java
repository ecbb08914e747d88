package dev.raftkv.client;

import dev.raftkv.transport.MalformedFrameException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * Splits the byte stream into frame bodies: an i32 length in 1..max, then the body. A bad length
 * closes the connection with the reason logged: the stream cannot resynchronise, and waiting for a
 * 2 GiB "frame" would only hold memory.
 */
public final class ClientFrameDecoder extends ByteToMessageDecoder {
    private static final Logger LOG = LoggerFactory.getLogger(ClientFrameDecoder.class);

    private final int maxBodyBytes;
    private boolean broken;

    public ClientFrameDecoder(int maxBodyBytes) {
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (broken) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (in.readableBytes() < 4) return;
        int length = in.getInt(in.readerIndex());
        if (length < 1 || length > maxBodyBytes) {
            broken = true;
            in.skipBytes(in.readableBytes());
            LOG.warn("closing client connection {}: {}", ctx.channel().remoteAddress(),
                    new MalformedFrameException("frame length " + length + " outside 1.." + maxBodyBytes).getMessage());
            ctx.close();
            return;
        }
        if (in.readableBytes() < 4 + length) return;
        in.skipBytes(4);
        out.add(in.readRetainedSlice(length));
    }
}
