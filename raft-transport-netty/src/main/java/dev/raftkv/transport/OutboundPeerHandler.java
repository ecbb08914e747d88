package dev.raftkv.transport;

import dev.raftkv.raft.Message;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;

/**
 * The connecting end of a peer connection. It streams snapshots chunk by chunk: the next chunk is
 * written only when the previous one has left and the channel is writable, so a 1 GiB snapshot never
 * sits in the outbound buffer, and messages interleave between chunks (heartbeats keep flowing).
 * The peer never talks back on this connection; anything it sends is discarded.
 *
 * <p>All state is touched on the channel's event loop only.
 */
final class OutboundPeerHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(OutboundPeerHandler.class);

    private final String peerId;
    private final RaftCodec codec;
    private final int maxFrameBytes;
    private final int chunkBytes;
    private Channel channel;
    private Stream current;

    OutboundPeerHandler(String peerId, RaftCodec codec, int maxFrameBytes, int chunkBytes) {
        this.peerId = peerId;
        this.codec = codec;
        this.maxFrameBytes = maxFrameBytes;
        this.chunkBytes = chunkBytes;
    }

    /** One snapshot on its way out. */
    private static final class Stream {
        final long id;
        final byte[] data;
        int offset;
        boolean writeInFlight;

        Stream(long id, byte[] data) {
            this.id = id;
            this.data = data;
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
    }

    /** Starts streaming; a stream still running to this peer is abandoned (the receiver drops it too). */
    void startSnapshot(long streamId, Message.InstallSnapshot message, byte[] data) {
        assert channel.eventLoop().inEventLoop();
        if (current != null) {
            log.info("snapshot stream {} to {} abandoned at {} of {} bytes for a newer one", current.id, peerId,
                    current.offset, current.data.length);
        }
        ByteBuf begin;
        try {
            begin = Framing.frame(channel.alloc(), maxFrameBytes,
                    body -> new SnapshotBegin(streamId, data.length, message).encode(codec, body));
        } catch (IllegalArgumentException e) {
            log.error("snapshot for {} not sent: {}", peerId, e.getMessage());
            current = null;
            return;
        }
        current = new Stream(streamId, data);
        channel.writeAndFlush(begin); // flushed on its own: the first chunk may have to wait for writability
        writeNextChunk();
    }

    private void writeNextChunk() {
        Stream s = current;
        if (s == null || s.writeInFlight || !channel.isActive()) return;
        if (!channel.isWritable()) return; // channelWritabilityChanged resumes
        int length = Math.min(chunkBytes, s.data.length - s.offset);
        boolean last = s.offset + length == s.data.length;
        ChannelFuture written = channel.writeAndFlush(
                SnapshotChunk.frame(channel.alloc(), s.id, s.data, s.offset, length, last));
        s.offset += length;
        if (last) {
            current = null;
            log.debug("snapshot stream {} to {}: all {} bytes queued", s.id, peerId, s.data.length);
            return;
        }
        s.writeInFlight = true;
        written.addListener(f -> {
            s.writeInFlight = false;
            if (current != s) return; // abandoned meanwhile
            if (f.isSuccess()) {
                writeNextChunk();
            } else {
                current = null;
                log.info("snapshot stream {} to {} failed at {} bytes: {}", s.id, peerId, s.offset, f.cause().toString());
            }
        });
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) writeNextChunk();
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (current != null) {
            log.info("snapshot stream {} to {} cut at {} of {} bytes: connection lost", current.id, peerId,
                    current.offset, current.data.length);
            current = null;
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            log.debug("connection to {} failed: {}", peerId, cause.toString());
        } else {
            log.warn("connection to {} failed", peerId, cause);
        }
        ctx.close();
    }
}
