package dev.raftkv.transport;

import dev.raftkv.raft.Message;
import dev.raftkv.raft.server.RaftServer;
import dev.raftkv.raft.server.Snapshot;

/**
 * Where a transport hands what arrives for this node. Called on transport threads, possibly several at
 * once (one per inbound connection), in order per sending peer; an implementation should hand off rather
 * than work there ({@link RaftServer} posts to its event loop).
 */
public interface InboundSink {
    void receive(Message message);

    /** An InstallSnapshot with the snapshot's bytes, called once they have all arrived. */
    void receiveSnapshot(Message.InstallSnapshot message, Snapshot snapshot);

    /** The sink of a running server: the two methods RaftServer already has. */
    static InboundSink of(RaftServer server) {
        return new InboundSink() {
            @Override
            public void receive(Message message) {
                server.receive(message);
            }

            @Override
            public void receiveSnapshot(Message.InstallSnapshot message, Snapshot snapshot) {
                server.receiveSnapshot(message, snapshot);
            }
        };
    }
}
