package dev.raftkv.transport;

import dev.raftkv.raft.Message;
import dev.raftkv.raft.server.Snapshot;
import dev.raftkv.raft.server.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Objects;
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
    private final Hello hello;
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

    private NettyTransport(String selfId, String cookie, TransportOptions options) {
        this.selfId = selfId;
        this.hello = new Hello(selfId, cookie);
        this.options = options;
        this.codec = new RaftCodec(options.maxEntryBytes());
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

    /** {@link #start(String, InetSocketAddress, Map, String, InboundSink, TransportOptions)} with the defaults. */
    public static NettyTransport start(String selfId, InetSocketAddress bindAddress, Map<String, InetSocketAddress> peers,
                                       String cookie, InboundSink sink) {
        return start(selfId, bindAddress, peers, cookie, sink, TransportOptions.defaults());
    }

    /**
     * Binds the listening socket and returns a transport ready to send.
     *
     * @param selfId      this node's id; at most 255 UTF-8 bytes
     * @param bindAddress where peers connect; port 0 picks a free port ({@link #boundAddress()} tells which)
     * @param peers       every other node's id and address; only these may connect. An entry for
     *                    {@code selfId} is ignored. More can be added with {@link #setPeer}.
     * @param cookie      the secret all nodes of the cluster share; a connecting node without it is refused
     * @param sink        receives what arrives, on transport threads
     * @throws IllegalStateException if the address cannot be bound
     */
    public static NettyTransport start(String selfId, InetSocketAddress bindAddress, Map<String, InetSocketAddress> peers,
                                       String cookie, InboundSink sink, TransportOptions options) {
        Objects.requireNonNull(sink, "sink");
        checkEncodable(selfId, cookie);
        NettyTransport t = new NettyTransport(selfId, cookie, options);
        try {
            peers.forEach(t::setPeer);
            t.bind(resolved(bindAddress), new Handshake(selfId, t.peers.keySet(), cookie), sink);
            return t;
        } catch (RuntimeException e) {
            t.close();
            throw e;
        }
    }

    private static void checkEncodable(String selfId, String cookie) {
        // fail at start-up, not at the first connection: the hello carries both
        WireWriter.checkString("node id", selfId, WireFormat.MAX_ID_BYTES);
        WireWriter.checkString("cookie", cookie, WireFormat.MAX_COOKIE_BYTES);
    }

    private static InetSocketAddress resolved(InetSocketAddress address) {
        return address.isUnresolved() ? new InetSocketAddress(address.getHostString(), address.getPort()) : address;
    }

    private void bind(InetSocketAddress address, Handshake handshake, InboundSink sink) {
        InboundPeerHandler.InboundStats stats = new InboundPeerHandler.InboundStats() {
            @Override
            public void refusedHandshake() {
                refusedHandshakes.incrementAndGet();
            }

            @Override
            public void closedMalformed() {
                malformedCloses.incrementAndGet();
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
                        ch.pipeline().addLast(
                                new FrameDecoder(options.maxFrameBytes(), malformedCloses::incrementAndGet),
                                new InboundPeerHandler(selfId, handshake, codec, sink, options, stats));
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
        PeerConnection connection = new PeerConnection(hello, peerId, address, clientBase, codec, options);
        peers.put(peerId, connection);
        if (old != null) old.close();
        connection.connectSoon();
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

    /** Inbound connections refused at the handshake: wrong cookie, version or magic, unknown id, no hello. */
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
