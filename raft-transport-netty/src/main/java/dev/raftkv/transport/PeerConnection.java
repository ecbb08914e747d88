package dev.raftkv.transport;

import dev.raftkv.raft.Message;
import dev.raftkv.raft.server.Snapshot;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The one outbound connection to one peer. It is opened as soon as the peer is known, and after a failure
 * or loss by the first send once the back-off has passed; whatever is sent while there is no connection, or
 * while the connection's buffer is above its high-water mark, is dropped and counted. Raft resends
 * what matters, and a queue here would only grow while the peer is away.
 *
 * <p>Senders call from any thread; the connection state is guarded by {@code this}, the channel is
 * published through a volatile field once the handshake completed: nothing is sent to a node that has
 * not proven that it knows the cookie.
 */
final class PeerConnection {
    private static final Logger log = LoggerFactory.getLogger(PeerConnection.class);

    private final String peerId;
    private final InetSocketAddress address;
    private final Bootstrap bootstrap;
    private final RaftCodec codec;
    private final int maxFrameBytes;
    private final AtomicLong droppedNotConnected = new AtomicLong();
    private final AtomicLong droppedBufferFull = new AtomicLong();
    private final AtomicLong droppedUnencodable = new AtomicLong();
    private final Backoff backoff;
    private final long connectTimeoutNanos;

    private volatile Channel channel;
    private boolean connecting;
    private long connectingSinceNanos;
    private boolean closed;
    private long nextAttemptNanos = System.nanoTime();
    private long connectedAtNanos;
    /** The incarnation of the peer that {@link #channel} reaches, from its challenge. */
    private long channelIncarnation;
    /** The last handshake failure logged, so that a peer refusing every attempt is not logged every two seconds. */
    private volatile String lastFailure;

    PeerConnection(String peerId, InetSocketAddress address, Bootstrap base, OutboundPipeline pipeline, RaftCodec codec,
                   TransportOptions options) {
        this.peerId = peerId;
        this.address = address;
        this.codec = codec;
        this.maxFrameBytes = options.maxFrameBytes();
        this.backoff = new Backoff(options.reconnectMinDelay().toNanos(), options.reconnectMaxDelay().toNanos());
        // an attempt is a connection and a handshake
        this.connectTimeoutNanos = options.connectTimeout().toNanos() + options.handshakeTimeout().toNanos();
        this.bootstrap = base.clone().remoteAddress(address).handler(pipeline.forPeer(peerId, address));
    }

    InetSocketAddress address() {
        return address;
    }

    PeerStats stats() {
        Channel ch = channel;
        return new PeerStats(ch != null && ch.isActive(), droppedNotConnected.get(), droppedBufferFull.get(),
                droppedUnencodable.get());
    }

    void send(Message m) {
        Channel ch = readyChannel();
        if (ch == null) {
            drop(m, droppedNotConnected, "not connected");
            return;
        }
        if (!ch.isWritable()) {
            drop(m, droppedBufferFull, "send buffer above its high-water mark");
            return;
        }
        ByteBuf frame;
        try {
            frame = Framing.frame(ch.alloc(), maxFrameBytes, body -> codec.encode(m, body));
        } catch (IllegalArgumentException e) {
            droppedUnencodable.incrementAndGet();
            log.error("{} to {} cannot be sent: {}", m.getClass().getSimpleName(), peerId, e.getMessage());
            return;
        }
        ch.writeAndFlush(frame); // a failed write releases the frame; the close listener notices the loss
    }

    void sendSnapshot(long streamId, Message.InstallSnapshot m, Snapshot snapshot) {
        Channel ch = readyChannel();
        OutboundPeerHandler handler = ch == null ? null : ch.pipeline().get(OutboundPeerHandler.class);
        if (handler == null) {
            drop(m, droppedNotConnected, "not connected");
            return;
        }
        ch.eventLoop().execute(() -> handler.startSnapshot(streamId, m, snapshot));
    }

    /**
     * Starts connecting now rather than at the first send: a message sent while the connection is being
     * made is dropped, and some are sent once only (a transfer's vote requests, a new member's first answer).
     */
    void connectSoon() {
        readyChannel();
    }

    private void drop(Message m, AtomicLong counter, String why) {
        long n = counter.incrementAndGet();
        log.debug("dropped {} to {}: {} ({} so far)", m.getClass().getSimpleName(), peerId, why, n);
    }

    /** The live channel, or null, after starting a connection attempt if one is due. */
    private Channel readyChannel() {
        Channel ch = channel;
        if (ch != null && ch.isActive()) return ch;
        synchronized (this) {
            // an attempt that never reported back (it should, within the connect timeout) must not
            // keep this peer unreachable for good
            boolean stuck = connecting && System.nanoTime() - connectingSinceNanos > 2 * connectTimeoutNanos;
            if (closed || (connecting && !stuck) || System.nanoTime() - nextAttemptNanos < 0) return null;
            connecting = true;
            connectingSinceNanos = System.nanoTime();
        }
        try {
            bootstrap.connect().addListener((ChannelFuture f) -> onConnectDone(f));
        } catch (RuntimeException e) {
            synchronized (this) {
                connecting = false;
                nextAttemptNanos = System.nanoTime() + backoff.nextDelayNanos();
            }
            log.warn("cannot start a connection to {} at {}: {}", peerId, address, e.toString());
        }
        return null;
    }

    private void onConnectDone(ChannelFuture f) {
        if (!f.isSuccess()) {
            long delay;
            synchronized (this) {
                connecting = false;
                delay = backoff.nextDelayNanos();
                nextAttemptNanos = System.nanoTime() + delay;
            }
            log.debug("cannot connect to {} at {}: {}; next try in {} ms", peerId, address, f.cause().toString(),
                    TimeUnit.NANOSECONDS.toMillis(delay));
            return;
        }
        Channel ch = f.channel();
        OutboundPipeline.handlerOf(ch).handshakeDone().whenComplete((ok, error) -> onHandshakeDone(ch, error));
    }

    private void onHandshakeDone(Channel ch, Throwable error) {
        if (error != null) {
            long delay;
            synchronized (this) {
                connecting = false;
                delay = backoff.nextDelayNanos();
                nextAttemptNanos = System.nanoTime() + delay;
            }
            ch.close();
            String why = error.getMessage();
            if (error instanceof PeerUnreachableException || (why != null && why.equals(lastFailure))) {
                log.debug("handshake with {} at {} failed again: {}", peerId, address, why);
            } else {
                log.warn("handshake with {} at {} failed: {}; next try in {} ms", peerId, address, why,
                        TimeUnit.NANOSECONDS.toMillis(delay));
            }
            lastFailure = why;
            return;
        }
        synchronized (this) {
            connecting = false;
            if (closed) {
                ch.close();
                return;
            }
            connectedAtNanos = System.nanoTime();
            channel = ch;
            channelIncarnation = OutboundPipeline.handlerOf(ch).peerIncarnation();
        }
        lastFailure = null;
        ch.closeFuture().addListener(cf -> onClosed(ch));
        log.info("connected to {} at {}", peerId, address);
    }

    private void onClosed(Channel ch) {
        long delay;
        synchronized (this) {
            if (channel != ch) return;
            channel = null;
            // Only a connection that lasted a whole back-off period resets it: one the peer closes at once
            // (a refused hello) must not turn into a reconnect every 50 ms.
            if (System.nanoTime() - connectedAtNanos >= backoff.maxNanos()) backoff.reset();
            delay = backoff.nextDelayNanos();
            nextAttemptNanos = System.nanoTime() + delay;
        }
        log.info("connection to {} closed; next try in {} ms at the earliest", peerId, TimeUnit.NANOSECONDS.toMillis(delay));
    }

    /**
     * Drops the current connection and dials again at once: the peer is alive but what we write does not
     * reach it (its old incarnation's socket never closed, so ours still looks connected).
     */
    void reconnect() {
        Channel ch;
        synchronized (this) {
            if (closed) return;
            ch = channel;
            channel = null;
            backoff.reset();
            nextAttemptNanos = System.nanoTime();
        }
        if (ch == null) return;
        log.warn("dropping the connection to {} at {}: the peer does not receive what we send on it; dialing again",
                peerId, address);
        ch.close();
        readyChannel();
    }

    /**
     * The peer dialed us as {@code incarnation}. If our connection reaches another one, the peer restarted and
     * that connection goes to a process that is gone; it may still look up for a long time (its socket never
     * closed, or the host vanished without a reset), swallowing all we send. Dial the new one.
     */
    void peerDialedUs(long incarnation) {
        synchronized (this) {
            if (channel == null || channelIncarnation == incarnation) return;
        }
        log.info("{} restarted (it dialed us as a new incarnation): our connection reaches its previous one", peerId);
        reconnect();
    }

    void close() {
        Channel ch;
        synchronized (this) {
            closed = true;
            ch = channel;
            channel = null;
        }
        if (ch != null) ch.close();
    }
}
