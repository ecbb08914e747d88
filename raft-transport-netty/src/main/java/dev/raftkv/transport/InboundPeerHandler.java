package dev.raftkv.transport;

import dev.raftkv.raft.Message;
import dev.raftkv.raft.server.SnapshotWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * The accepting end of a peer connection, after {@link FrameDecoder}. The connection starts with the
 * handshake ({@link Handshake}): a hello from a known peer of this cluster, a challenge from here, the
 * peer's proof that it knows the cookie, and this node's proof. Until then nothing reaches the sink, and
 * the frame decoder accepts nothing larger than a hello. After it, each frame is a message (delivered if
 * it names the handshake's peer as sender and this node as receiver, and keeps the invariants of
 * {@link MessageInvariants}) or part of a snapshot stream. Anything malformed closes this connection
 * alone, with the reason logged; a refused handshake also tells the peer why.
 *
 * <p>One instance per connection; all its state lives on that connection's event loop.
 */
final class InboundPeerHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(InboundPeerHandler.class);

    private final String selfId;
    private final Handshake handshake;
    private final RaftCodec codec;
    private final InboundSink sink;
    private final TransportOptions options;
    private final InboundStats stats;

    private Hello hello; // null until an acceptable hello arrived
    private HandshakeFrames.Challenge challenge;
    private String peerId; // null until the peer has proven that it knows the cookie
    private boolean closing;
    private ScheduledFuture<?> handshakeTimeout;
    private SnapshotAssembly assembly;

    InboundPeerHandler(Handshake handshake, RaftCodec codec, InboundSink sink, TransportOptions options,
                       InboundStats stats) {
        this.selfId = handshake.selfId();
        this.handshake = handshake;
        this.codec = codec;
        this.sink = sink;
        this.options = options;
        this.stats = stats;
    }

    /** Counters the transport exposes, shared by every inbound connection. */
    interface InboundStats {
        void refusedHandshake();

        void closedMalformed();

        /** {@code peer} proved itself in a hello naming {@code incarnation}. */
        void peerProven(String peer, long incarnation);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        // a connection that never completes the handshake would otherwise hold a socket forever
        handshakeTimeout = ctx.executor().schedule(() -> {
            if (peerId == null) refuse(ctx, "no handshake within " + options.handshakeTimeout().toMillis() + " ms");
        }, options.handshakeTimeout().toNanos(), TimeUnit.NANOSECONDS);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf frame = (ByteBuf) msg;
        try {
            if (closing) return;
            if (hello == null) onHello(ctx, frame);
            else if (peerId == null) onProof(ctx, frame);
            else onFrame(ctx, frame);
        } catch (MalformedFrameException e) {
            stats.closedMalformed();
            close(ctx, "malformed frame: " + e.getMessage());
        } finally {
            ReferenceCountUtil.release(frame);
        }
    }

    private void onHello(ChannelHandlerContext ctx, ByteBuf frame) {
        Hello h;
        try {
            h = Hello.decode(frame);
        } catch (MalformedFrameException e) {
            refuse(ctx, "bad hello: " + e.getMessage());
            return;
        }
        String refusal = handshake.refusal(h);
        if (refusal != null) {
            refuse(ctx, refusal);
            return;
        }
        hello = h;
        challenge = handshake.challenge();
        ctx.writeAndFlush(Framing.frame(ctx.alloc(), WireFormat.MAX_HANDSHAKE_FRAME_BYTES, challenge::encode));
    }

    private void onProof(ChannelHandlerContext ctx, ByteBuf frame) {
        HandshakeFrames.Frame f;
        try {
            f = HandshakeFrames.decode(frame);
        } catch (MalformedFrameException e) {
            refuse(ctx, "bad handshake frame from " + hello.from() + ": " + e.getMessage());
            return;
        }
        if (f instanceof HandshakeFrames.Refusal r) {
            stats.refusedHandshake();
            close(ctx, hello.from() + " refused this node's challenge: " + r.reason());
            return;
        }
        if (!(f instanceof HandshakeFrames.Proof p) || !Handshake.matches(handshake.clientProof(hello, challenge), p.mac())) {
            refuse(ctx, "wrong cluster cookie: the proof of the node calling itself " + hello.from() + " does not match");
            return;
        }
        // before our proof leaves: once the peer holds it, whatever we send it must go to this incarnation
        stats.peerProven(hello.from(), hello.incarnation());
        ctx.writeAndFlush(Framing.frame(ctx.alloc(), WireFormat.MAX_HANDSHAKE_FRAME_BYTES,
                new HandshakeFrames.Proof(handshake.serverProof(hello, challenge))::encode));
        peerId = hello.from();
        handshakeTimeout.cancel(false);
        // only a proven peer may send frames of full size
        FrameDecoder decoder = ctx.pipeline().get(FrameDecoder.class);
        if (decoder != null) decoder.limit(options.maxFrameBytes());
        log.info("peer {} connected from {}", peerId, ctx.channel().remoteAddress());
    }

    private void onFrame(ChannelHandlerContext ctx, ByteBuf frame) throws MalformedFrameException {
        byte type = frame.getByte(frame.readerIndex()); // the frame decoder guarantees at least one byte
        if (type == WireFormat.SNAPSHOT_BEGIN) {
            onSnapshotBegin(ctx, SnapshotBegin.decode(codec, frame));
        } else if (type == WireFormat.SNAPSHOT_CHUNK) {
            onSnapshotChunk(SnapshotChunk.decode(frame));
        } else {
            Message m = codec.decode(frame);
            if (m instanceof Message.InstallSnapshot) {
                // without its bytes the server could not install it; snapshots come as streams
                log.warn("dropped an InstallSnapshot from {} outside a snapshot stream", peerId);
            } else if (addressedCorrectly(m)) {
                MessageInvariants.check(m);
                deliver(m);
            }
        }
    }
    private boolean addressedCorrectly(Message m) {
        if (!m.from().equals(peerId)) {
            log.warn("dropped {} claiming to be from {} on the connection of {}", m.getClass().getSimpleName(),
                    m.from(), peerId);
            return false;
        }
        if (!m.to().equals(selfId)) {
            log.warn("dropped {} from {} addressed to {}, this is {}", m.getClass().getSimpleName(), peerId,
                    m.to(), selfId);
            return false;
        }
        return true;
    }

    private void deliver(Message m) {
        try {
            sink.receive(m);
        } catch (RuntimeException e) {
            // the sink's bug, not the peer's: keep the connection
            log.error("sink failed on {} from {}", m.getClass().getSimpleName(), peerId, e);
        }
    }

    private void onSnapshotBegin(ChannelHandlerContext ctx, SnapshotBegin begin) {
        if (!addressedCorrectly(begin.message())) {
            abandonAssembly();
            return;
        }
        if (begin.totalBytes() > options.maxSnapshotBytes()) {
            // closing, not skipping: the sender would otherwise stream the whole oversized snapshot anyway
            close(ctx, "snapshot of " + begin.totalBytes() + " bytes refused, limit " + options.maxSnapshotBytes());
            return;
        }
        if (assembly != null) {
            log.info("snapshot stream {} from {} abandoned for a newer one", assembly.streamId(), peerId);
            abandonAssembly();
        }
        SnapshotWriter writer;
        try {
            writer = sink.snapshotWriter(begin.message());
        } catch (IOException | RuntimeException e) {
            // its chunks will be ignored; the leader sends the snapshot again later
            log.error("cannot store snapshot stream {} from {}: {}", begin.streamId(), peerId, e.toString());
            return;
        }
        assembly = new SnapshotAssembly(begin, writer);
    }

    /**
     * Appends the chunk to the snapshot file. This is blocking file I/O on the connection's event loop,
     * at most one chunk (1 MiB by default) at a time, usually into the page cache; the sender waits for
     * each chunk to leave before it sends the next, so nothing piles up in memory meanwhile.
     */
    private void onSnapshotChunk(SnapshotChunk chunk) throws MalformedFrameException {
        if (assembly == null || assembly.streamId() != chunk.streamId()) {
            log.debug("ignored a chunk of snapshot stream {} from {}: not the current stream", chunk.streamId(), peerId);
            return;
        }
        boolean complete;
        try {
            complete = assembly.add(chunk);
        } catch (IOException e) {
            log.error("writing snapshot stream {} from {} failed at {} bytes: {}; dropping it", chunk.streamId(), peerId,
                    assembly.received(), e.toString());
            abandonAssembly();
            return;
        }
        if (!complete) return;
        SnapshotAssembly done = assembly;
        assembly = null;
        try {
            sink.receiveSnapshot(done.message(), done.writer());
        } catch (RuntimeException e) {
            log.error("sink failed on a snapshot from {}", peerId, e);
            done.abandon();
        }
    }

    private void abandonAssembly() {
        if (assembly != null) assembly.abandon();
        assembly = null;
    }

    /** Refuses the handshake: the peer is told why (so that its log says it too), then the connection closes. */
    private void refuse(ChannelHandlerContext ctx, String reason) {
        if (closing) return;
        stats.refusedHandshake();
        ctx.writeAndFlush(Framing.frame(ctx.alloc(), WireFormat.MAX_HANDSHAKE_FRAME_BYTES,
                HandshakeFrames.Refusal.because(reason)::encode));
        close(ctx, "refused: " + reason);
    }

    private void close(ChannelHandlerContext ctx, String reason) {
        if (closing) return;
        closing = true;
        abandonAssembly();
        log.warn("closing connection from {}{}: {}", ctx.channel().remoteAddress(),
                peerId == null ? "" : " (" + peerId + ")", reason);
        // after what is queued (a refusal) has left
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (handshakeTimeout != null) handshakeTimeout.cancel(false);
        abandonAssembly();
        if (peerId != null && !closing) log.info("peer {} disconnected", peerId);
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!ctx.channel().isOpen()) return; // closed already, and logged where it was closed (a refused TLS handshake)
        if (cause instanceof IOException) {
            log.debug("connection from {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
            ctx.close();
        } else {
            close(ctx, cause.toString());
        }
    }
}
