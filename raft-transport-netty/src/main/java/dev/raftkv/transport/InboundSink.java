package dev.raftkv.transport;

import dev.raftkv.raft.Message;
import dev.raftkv.raft.server.RaftServer;
import dev.raftkv.raft.server.SnapshotWriter;

import java.io.IOException;

/**
 * Where a transport hands what arrives for this node. Called on transport threads, possibly several at
 * once (one per inbound connection), in order per sending peer; an implementation should hand off rather
 * than work there ({@link RaftServer} posts to its event loop).
 */
public interface InboundSink {
    void receive(Message message);

    /**
     * Where to write the bytes of an incoming snapshot while they arrive (a temporary file of the
     * snapshot store). The transport closes the writer if the stream breaks off.
     */
    SnapshotWriter snapshotWriter(Message.InstallSnapshot message) throws IOException;

    /** An InstallSnapshot whose bytes have all arrived, checked, in {@code received}; the sink commits or closes it. */
    void receiveSnapshot(Message.InstallSnapshot message, SnapshotWriter received);

    /** The sink of a running server: the methods RaftServer already has. */
    static InboundSink of(RaftServer server) {
        return new InboundSink() {
            @Override
            public void receive(Message message) {
                server.receive(message);
            }

            @Override
            public SnapshotWriter snapshotWriter(Message.InstallSnapshot message) throws IOException {
                return server.snapshotWriter(message);
            }

            @Override
            public void receiveSnapshot(Message.InstallSnapshot message, SnapshotWriter received) {
                server.receiveSnapshot(message, received);
            }
        };
    }
}
