package dev.raftkv.transport;

import dev.raftkv.raft.Message;
import dev.raftkv.raft.server.Snapshot;
import dev.raftkv.raft.server.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The Raft {@link Transport} over TCP: a listening socket for peers' connections and one outbound
 * connection per peer (see {@link PeerConnection}). Frames, handshake and codec are described in
 * {@link Framing}, {@link Hello}, {@link RaftCodec}, {@link SnapshotBegin} and {@link SnapshotChunk}.
 *
 * <p>Every send is best effort and never blocks or throws: a message to an unknown or unreachable peer,
 * or to one whose connection is backed up, is dropped (and counted).
 */
public final class NettyTransport implements Transport, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NettyTransport.class);

    private final String selfId;
    private final Handshake handshake;
    private final OutboundPipeline outbound;
    private final SslContext serverTls; // null: plain TCP
    private final TransportOptions options;
    private final RaftCodec codec;
    private final EventLoopGroup acceptor;
    private final EventLoopGroup workers;
    private final Bootstrap clientBase;
    private final Map<String, PeerConnection> peers = new ConcurrentHashMap<>();
    private final AtomicLong streamIds = new AtomicLong();
    private final AtomicLong unknownPeerDrops = new AtomicLong();
    private final AtomicLong refusedHandshakes = new AtomicLong();
    private final AtomicLong malformedCloses = new AtomicLong();
    private volatile Channel server;
    private volatile boolean closed;

    private NettyTransport(String selfId, PeerSecurity security, TransportOptions options) {
        this.selfId = selfId;
        this.handshake = new Handshake(selfId, peers.keySet(), security.cookie(), security.clusterId());
        // load the HMAC and the random source now: on a loaded machine their first use takes seconds, and that
        // must not come out of the first peer's handshake timeout
        handshake.clientProof(handshake.hello(selfId), handshake.challenge());
        this.options = options;
        this.codec = new RaftCodec(options.maxEntryBytes());
        this.serverTls = security.tls() == null ? null : security.tls().server(true);
        this.outbound = new OutboundPipeline(handshake, codec, options, security.tls() == null ? null : security.tls().client(),
                malformedCloses::incrementAndGet);
        this.acceptor = new MultiThreadIoEventLoopGroup(1,
                new DefaultThreadFactory("raftkv-accept-" + selfId, true), NioIoHandler.newFactory());
        this.workers = new MultiThreadIoEventLoopGroup(options.ioThreads(),
                new DefaultThreadFactory("raftkv-net-" + selfId, true), NioIoHandler.newFactory());
        this.clientBase = new Bootstrap()
                .group(workers)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, Math.toIntExact(options.connectTimeout().toMillis()))
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark(options.writeBufferLowWaterMark(), options.writeBufferHighWaterMark()));
    }

    /** {@link #start(String, InetSocketAddress, Map, PeerSecurity, InboundSink, TransportOptions)} with the defaults. */
    public static NettyTransport start(String selfId, InetSocketAddress bindAddress, Map<String, InetSocketAddress> peers,
                                       String cookie, InboundSink sink) {
        return start(selfId, bindAddress, peers, cookie, sink, TransportOptions.defaults());
    }

    /** With a cookie alone: no cluster id, no TLS. */
    public static NettyTransport start(String selfId, InetSocketAddress bindAddress, Map<String, InetSocketAddress> peers,
                                       String cookie, InboundSink sink, TransportOptions options) {
        return start(selfId, bindAddress, peers, PeerSecurity.cookie(cookie), sink, options);
    }

    /**
     * Binds the listening socket and returns a transport ready to send.
     *
     * @param selfId      this node's id; at most 255 UTF-8 bytes
     * @param bindAddress where peers connect; port 0 picks a free port ({@link #boundAddress()} tells which)
     * @param peers       every other node's id and address; only these may connect. An entry for
     *                    {@code selfId} is ignored. More can be added with {@link #setPeer}.
     * @param security    the cookie all nodes of the cluster share (a peer that cannot prove it is refused), the
     *                    cluster id, and TLS
     * @param sink        receives what arrives, on transport threads
     * @throws IllegalStateException if the address cannot be bound
     */
    public static NettyTransport start(String selfId, InetSocketAddress bindAddress, Map<String, InetSocketAddress> peers,
                                       PeerSecurity security, InboundSink sink, TransportOptions options) {
        Objects.requireNonNull(sink, "sink");
        // fail at start-up, not at the first connection: the hello carries the id
        WireWriter.checkString("node id", selfId, WireFormat.MAX_ID_BYTES);
        NettyTransport t = new NettyTransport(selfId, security, options);
        try {
            peers.forEach(t::setPeer);
            t.bind(Addresses.resolved(bindAddress), sink);
            return t;
        } catch (RuntimeException e) {
            t.close();
            throw e;
        }
    }

    private void bind(InetSocketAddress address, InboundSink sink) {
        InboundPeerHandler.InboundStats stats = new InboundPeerHandler.InboundStats() {
            @Override
            public void refusedHandshake() {
                refusedHandshakes.incrementAndGet();
            }

            @Override
            public void closedMalformed() {
                malformedCloses.incrementAndGet();
            }

            @Override
            public void peerProven(String peer, long incarnation) {
                PeerConnection c = peers.get(peer);
                if (c != null) c.peerDialedUs(incarnation);
            }
        };
        ServerBootstrap b = new ServerBootstrap()
                .group(acceptor, workers)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true) // a restarted node binds its port again at once
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        // frames no larger than a hello until the peer has proven that it knows the cookie
                        ch.pipeline().addLast(
                                new FrameDecoder(WireFormat.MAX_HANDSHAKE_FRAME_BYTES, malformedCloses::incrementAndGet),
                                new InboundPeerHandler(handshake, codec, sink, options, stats));
                        if (serverTls != null) {
                            Tls.addServer(ch.pipeline(), serverTls, "raft port of " + selfId, refusedHandshakes::incrementAndGet);
                        }
                    }
                });
        try {
            server = b.bind(address).syncUninterruptibly().channel();
        } catch (Exception e) { // Netty rethrows the BindException undeclared
            throw new IllegalStateException("cannot listen on " + address + ": " + e, e);
        }
        log.info("{} listening on {}", selfId, server.localAddress());
    }

    /**
     * Adds a peer, or moves it to a new address (its old connection is closed). The same address again
     * changes nothing. From now on the peer may also connect to this node.
     */
    public synchronized void setPeer(String peerId, InetSocketAddress address) {
        if (peerId.equals(selfId)) return;
        if (closed) throw new IllegalStateException("transport closed");
        WireWriter.checkString("peer id", peerId, WireFormat.MAX_ID_BYTES);
        PeerConnection old = peers.get(peerId);
        if (old != null && old.address().equals(address)) return;
        PeerConnection connection = new PeerConnection(peerId, address, clientBase, outbound, codec, options);
        peers.put(peerId, connection);
        if (old != null) old.close();
        connection.connectSoon();
    }

    /**
     * Connects to {@code peerId} at {@code address} and runs the handshake, then closes: completes once that
     * node proved that it knows the cookie (and, with TLS, presented a certificate the CA signed), or fails
     * with {@link HandshakeFailedException} (it was refused, or refused this node) or
     * {@link PeerUnreachableException}. The leader asks this before it takes a new member in.
     */
    public CompletableFuture<Void> prove(String peerId, InetSocketAddress address) {
        CompletableFuture<Void> result = new CompletableFuture<>();
        InetSocketAddress target = Addresses.resolved(address);
        try {
            clientBase.clone().remoteAddress(target).handler(outbound.forPeer(peerId, target)).connect()
                    .addListener((ChannelFuture f) -> {
                        if (!f.isSuccess()) {
                            result.completeExceptionally(new PeerUnreachableException("cannot connect to " + peerId + " at "
                                    + address + ": " + f.cause().getMessage()));
                            return;
                        }
                        OutboundPipeline.handlerOf(f.channel()).handshakeDone().whenComplete((ok, e) -> {
                            f.channel().close();
                            if (e == null) result.complete(null);
                            else result.completeExceptionally(e);
                        });
                    });
        } catch (RuntimeException e) {
            result.completeExceptionally(new PeerUnreachableException("cannot connect to " + peerId + " at " + address
                    + ": " + e));
        }
        return result;
    }

    public InetSocketAddress boundAddress() {
        return (InetSocketAddress) server.localAddress();
    }

    public int boundPort() {
        return boundAddress().getPort();
    }

    public String selfId() {
        return selfId;
    }

    @Override
    public void send(Message message) {
        if (message instanceof Message.InstallSnapshot) {
            log.error("dropped an InstallSnapshot without its bytes: use sendSnapshot");
            return;
        }
        PeerConnection peer = peerFor(message);
        if (peer != null) peer.send(message);
    }

    @Override
    public void sendSnapshot(Message.InstallSnapshot message, Snapshot snapshot) {
        PeerConnection peer = peerFor(message);
        if (peer != null) peer.sendSnapshot(streamIds.incrementAndGet(), message, snapshot);
    }

    private PeerConnection peerFor(Message m) {
        if (closed) return null;
        PeerConnection peer = peers.get(m.to());
        if (peer == null) {
            unknownPeerDrops.incrementAndGet();
            log.debug("dropped {} to unknown peer {}", m.getClass().getSimpleName(), m.to());
        }
        return peer;
    }

    @Override
    public void reconnect(String peerId) {
        PeerConnection c = peers.get(peerId);
        if (c != null) c.reconnect();
    }

    /** The outbound side of one peer: whether it is connected, and what was dropped on the way to it, and why. */
    public PeerStats peerStats(String peerId) {
        PeerConnection peer = peers.get(peerId);
        return peer == null ? new PeerStats(false, 0, 0, 0) : peer.stats();
    }

    /** Messages and snapshots to {@code peerId} dropped so far, for whatever reason. */
    public long droppedMessages(String peerId) {
        return peerStats(peerId).dropped();
    }

    public long droppedForUnknownPeers() {
        return unknownPeerDrops.get();
    }

    /**
     * Inbound connections refused at the handshake: wrong cookie, version or magic, unknown id, another
     * cluster, no handshake in time, a TLS handshake that failed.
     */
    public long refusedHandshakes() {
        return refusedHandshakes.get();
    }

    /** Inbound connections closed after the handshake for a malformed or oversized frame. */
    public long malformedFrameCloses() {
        return malformedCloses.get();
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        peers.values().forEach(PeerConnection::close);
        Channel s = server;
        if (s != null) s.close().syncUninterruptibly();
        // no quiet period: nothing is left to send once the peers are closed, and tests restart nodes often
        acceptor.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        log.info("{} transport closed", selfId);
    }
}
