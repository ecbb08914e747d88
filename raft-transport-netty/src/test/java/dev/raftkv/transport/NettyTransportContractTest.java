package dev.raftkv.transport;

import dev.raftkv.raft.server.Transport;

import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;

/** The transport contract over real sockets on 127.0.0.1, every node on a port the OS picked. */
class NettyTransportContractTest extends TransportContract {
    static final String COOKIE = "contract-cookie";

    /** Kept when a node stops, so that it restarts on the same port. */
    private final Map<String, InetSocketAddress> addresses = new HashMap<>();
    private final Map<String, NettyTransport> running = new HashMap<>();

    @Override
    protected Transport start(String id, InboundSink sink) {
        InetSocketAddress bind = addresses.getOrDefault(id, new InetSocketAddress("127.0.0.1", 0));
        Map<String, InetSocketAddress> peers = new HashMap<>(addresses);
        NettyTransport t = NettyTransport.start(id, bind, peers, COOKIE, sink);
        addresses.put(id, t.boundAddress());
        running.put(id, t);
        // nodes started earlier learn the new one; a restarted one they know already (same address)
        running.forEach((other, transport) -> transport.setPeer(id, t.boundAddress()));
        return t;
    }

    @Override
    protected void stop(String id) {
        running.remove(id).close();
    }

    @Override
    protected void stopAll() {
        running.values().forEach(NettyTransport::close);
        running.clear();
    }
}
