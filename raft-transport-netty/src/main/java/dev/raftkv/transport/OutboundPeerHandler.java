package dev.raftkv.transport;

import dev.raftkv.raft.Message;
import dev.raftkv.raft.server.Snapshot;
import dev.raftkv.raft.server.SnapshotFile;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The connecting end of a peer connection. It opens with the handshake ({@link Handshake}): its hello,
 * the dialed node's challenge, its proof, and the dialed node's proof, which it checks before anything
 * else is sent ({@link #handshakeDone()} completes then, or fails with the reason). After that it
 * streams snapshots chunk by chunk from the snapshot store:
 * the next chunk is read and written only when the previous one has left and the channel is writable,
 * so a 1 GiB snapshot is never in memory nor in the outbound buffer, and messages interleave between
 * chunks (heartbeats keep flowing).
 * After the handshake the peer never talks back on this connection; anything it sends is discarded.
 *
 * <p>All state is touched on the channel's event loop only.
 */
final class OutboundPeerHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(OutboundPeerHandler.class);

    private final String peerId;
    private final Handshake handshake;
    private final RaftCodec codec;
    private final int maxFrameBytes;
    private final int chunkBytes;
    private final long handshakeTimeoutNanos;
    private final CompletableFuture<Void> handshakeDone = new CompletableFuture<>();
    private Channel channel;
    private Stream current;
    private Hello hello;
    private HandshakeFrames.Challenge challenge; // null until the dialed node's challenge was accepted
    private ScheduledFuture<?> handshakeTimeout;

    OutboundPeerHandler(String peerId, Handshake handshake, RaftCodec codec, TransportOptions options) {
        this.peerId = peerId;
        this.handshake = handshake;
        this.codec = codec;
        this.maxFrameBytes = options.maxFrameBytes();
        this.chunkBytes = options.snapshotChunkBytes();
        this.handshakeTimeoutNanos = options.handshakeTimeout().toNanos();
    }

    /**
     * Completes once the dialed node proved that it knows the cookie; fails with a
     * {@link HandshakeFailedException} (refused, either way) or a {@link PeerUnreachableException} (the
     * connection ended before the handshake did).
     */
    CompletableFuture<Void> handshakeDone() {
        return handshakeDone;
    }

    /** The dialed node's incarnation, from its challenge; read once {@link #handshakeDone()} completed. */
    long peerIncarnation() {
        return challenge.incarnation();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        hello = handshake.hello(peerId);
        ctx.writeAndFlush(Framing.frame(ctx.alloc(), WireFormat.MAX_HANDSHAKE_FRAME_BYTES, hello::encode));
        handshakeTimeout = ctx.executor().schedule(() -> fail(ctx, new HandshakeFailedException(peerId
                + " did not complete the handshake within " + TimeUnit.NANOSECONDS.toMillis(handshakeTimeoutNanos) + " ms")),
                handshakeTimeoutNanos, TimeUnit.NANOSECONDS);
        ctx.fireChannelActive();
    }

    private void onHandshakeFrame(ChannelHandlerContext ctx, ByteBuf frame) {
        HandshakeFrames.Frame f;
        try {
            f = HandshakeFrames.decode(frame);
        } catch (MalformedFrameException e) {
            refuse(ctx, "bad handshake frame from " + peerId + ": " + e.getMessage());
            return;
        }
        if (f instanceof HandshakeFrames.Refusal r) {
            fail(ctx, new HandshakeFailedException("the node dialed as " + peerId + " refused this node: " + r.reason()));
        } else if (challenge == null && f instanceof HandshakeFrames.Challenge c) {
            String refusal = handshake.refusal(peerId, c);
            if (refusal != null) {
                refuse(ctx, refusal);
                return;
            }
            challenge = c;
            ctx.writeAndFlush(Framing.frame(ctx.alloc(), WireFormat.MAX_HANDSHAKE_FRAME_BYTES,
                    new HandshakeFrames.Proof(handshake.clientProof(hello, c))::encode));
        } else if (challenge != null && f instanceof HandshakeFrames.Proof p) {
            if (!Handshake.matches(handshake.serverProof(hello, challenge), p.mac())) {
                refuse(ctx, "wrong cluster cookie: the proof of " + peerId + " does not match");
                return;
            }
            handshakeTimeout.cancel(false);
            handshakeDone.complete(null);
        } else {
            refuse(ctx, "unexpected handshake frame from " + peerId + ": " + f.getClass().getSimpleName());
        }
    }

    /** Tells the dialed node why it is refused (so that its log says it too), then closes. */
    private void refuse(ChannelHandlerContext ctx, String reason) {
        ctx.writeAndFlush(Framing.frame(ctx.alloc(), WireFormat.MAX_HANDSHAKE_FRAME_BYTES,
                HandshakeFrames.Refusal.because(reason)::encode));
        fail(ctx, new HandshakeFailedException("refused " + peerId + ": " + reason));
    }

    private void fail(ChannelHandlerContext ctx, Exception why) {
        if (handshakeTimeout != null) handshakeTimeout.cancel(false);
        if (handshakeDone.completeExceptionally(why)) {
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /**
     * One snapshot on its way out, read from its store file by file as it goes. The snapshot is retained
     * until the stream ends, so the store keeps its files even if newer snapshots replace it meanwhile.
     */
    private static final class Stream {
        final long id;
        final Message.InstallSnapshot message;
        final Snapshot snapshot;
        final Snapshot.Retained hold;
        final List<SnapshotFile> files;
        final long size;
        /** The file being read: index into {@link #files}; its stream, once opened. */
        int file = -1;
        InputStream in;
        long fileOffset;
        long offset;
        boolean writeInFlight;

        Stream(long id, Message.InstallSnapshot message, Snapshot snapshot) {
            this.id = id;
            this.message = message;
            this.snapshot = snapshot;
            this.hold = snapshot.retain();
            this.files = snapshot.files();
            this.size = snapshot.size();
        }

        /** The stream of the next file that has bytes left to send, opened if need be. */
        InputStream fileWithRoom() throws IOException {
            while (file < 0 || fileOffset == files.get(file).size()) {
                closeFile();
                file++;
                fileOffset = 0;
            }
            if (in == null) in = snapshot.open(files.get(file).name());
            return in;
        }

        long leftInFile() {
            return files.get(file).size() - fileOffset;
        }

        private void closeFile() {
            if (in == null) return;
            try {
                in.close();
            } catch (IOException e) {
                log.debug("closing a snapshot stream's source: {}", e.toString());
            }
            in = null;
        }

        void close() {
            closeFile();
            hold.close();
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
    }

    /**
     * Starts streaming. The same InstallSnapshot again, while it is still streaming, changes nothing: the
     * leader asks again when a large snapshot takes longer than its patience, and restarting would mean
     * it never finishes. A different one abandons the running stream (the receiver drops it too).
     */
    void startSnapshot(long streamId, Message.InstallSnapshot message, Snapshot snapshot) {
        assert channel.eventLoop().inEventLoop();
        if (current != null) {
            if (current.message.equals(message)) {
                log.debug("snapshot stream {} to {} is still running at {} of {} bytes; not restarted", current.id,
                        peerId, current.offset, current.size);
                return;
            }
            log.info("snapshot stream {} to {} abandoned at {} of {} bytes for a newer one", current.id, peerId,
                    current.offset, current.size);
            current.close();
            current = null;
        }
        ByteBuf begin;
        try {
            begin = Framing.frame(channel.alloc(), maxFrameBytes,
                    body -> new SnapshotBegin(streamId, snapshot.files(), message).encode(codec, body));
        } catch (IllegalArgumentException e) {
            log.error("snapshot for {} not sent: {}", peerId, e.getMessage());
            return;
        }
        current = new Stream(streamId, message, snapshot);
        channel.writeAndFlush(begin); // flushed on its own: the first chunk may have to wait for writability
        writeNextChunk();
    }

    /**
     * Reads the next chunk from the snapshot and writes it. The read is blocking file I/O on this event
     * loop, one chunk at a time (usually from the page cache): simpler than a reader thread, and it never
     * holds more than one chunk of the snapshot in memory.
     */
    private void writeNextChunk() {
        Stream s = current;
        if (s == null || s.writeInFlight || !channel.isActive()) return;
        if (!channel.isWritable()) return; // channelWritabilityChanged resumes
        ByteBuf data;
        int length;
        try {
            // a chunk never spans two files, so that the receiver knows each chunk's file by its offset
            InputStream in = s.offset == s.size ? null : s.fileWithRoom();
            length = in == null ? 0 : (int) Math.min(chunkBytes, s.leftInFile());
            data = channel.alloc().buffer(length);
            try {
                while (data.readableBytes() < length) {
                    if (data.writeBytes(in, length - data.readableBytes()) < 0) {
                        throw new EOFException("snapshot file " + s.files.get(s.file).name() + " ends at "
                                + (s.fileOffset + data.readableBytes()) + " of its " + s.files.get(s.file).size() + " bytes");
                    }
                }
            } catch (IOException e) {
                data.release();
                throw e;
            }
        } catch (IOException e) {
            // a file damaged on disk fails its checksum here, before its last chunk leaves; closing the
            // connection tells the receiver to drop what it has (it reconnects at once)
            log.warn("snapshot stream {} to {} stopped: reading the snapshot failed: {}; closing the connection", s.id,
                    peerId, e.toString());
            s.close();
            current = null;
            channel.close();
            return;
        }
        s.fileOffset += length;
        boolean last = s.offset + length == s.size;
        ChannelFuture written = channel.writeAndFlush(SnapshotChunk.frame(channel.alloc(), s.id, s.offset, data, last));
        s.offset += length;
        if (last) {
            current = null;
            s.close();
            log.debug("snapshot stream {} to {}: all {} bytes queued", s.id, peerId, s.size);
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
                s.close();
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
        try {
            if (!handshakeDone.isDone()) onHandshakeFrame(ctx, (ByteBuf) msg);
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (handshakeTimeout != null) handshakeTimeout.cancel(false);
        handshakeDone.completeExceptionally(new PeerUnreachableException("the connection to " + peerId
                + " closed during the handshake"));
        if (current != null) {
            log.info("snapshot stream {} to {} cut at {} of {} bytes: connection lost", current.id, peerId,
                    current.offset, current.size);
            current.close();
            current = null;
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!handshakeDone.isDone()) {
            // the reason is what the caller of the handshake needs (and logs): TLS refused, or the connection broke
            handshakeDone.completeExceptionally(Tls.refusal(cause)
                    ? new HandshakeFailedException("TLS handshake with " + peerId + " failed: " + Tls.describe(cause))
                    : new PeerUnreachableException("the connection to " + peerId + " failed: " + Tls.describe(cause)));
            ctx.close();
            return;
        }
        if (cause instanceof IOException) {
            log.debug("connection to {} failed: {}", peerId, cause.toString());
        } else {
            log.warn("connection to {} failed", peerId, cause);
        }
        ctx.close();
    }
}
