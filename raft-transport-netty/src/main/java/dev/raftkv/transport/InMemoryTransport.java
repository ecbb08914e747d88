package dev.raftkv.transport;

import dev.raftkv.raft.Message;
import dev.raftkv.raft.server.Snapshot;
import dev.raftkv.raft.server.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node's end of an {@link InMemoryNetwork}. Closing it takes the node off the network (messages to
 * it are dropped from then on); joining again with the same id is a restart.
 */
public final class InMemoryTransport implements Transport, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(InMemoryTransport.class);

    private final InMemoryNetwork network;
    private final String id;
    private final InboundSink sink;
    private volatile boolean closed;

    InMemoryTransport(InMemoryNetwork network, String id, InboundSink sink) {
        this.network = network;
        this.id = id;
        this.sink = sink;
    }

    String id() {
        return id;
    }

    InboundSink sink() {
        return sink;
    }

    @Override
    public void send(Message message) {
        if (closed) return;
        if (message instanceof Message.InstallSnapshot) {
            log.error("dropped an InstallSnapshot without its bytes: use sendSnapshot"); // as NettyTransport does
            return;
        }
        network.deliver(message);
    }

    @Override
    public void sendSnapshot(Message.InstallSnapshot message, Snapshot snapshot) {
        if (closed) return;
        network.deliverSnapshot(message, snapshot);
    }

    @Override
    public void close() {
        closed = true;
        network.leave(this);
    }
}
