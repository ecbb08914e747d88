package dev.raftkv.node;

import dev.raftkv.raft.Entry;
import dev.raftkv.raft.EntryType;
import dev.raftkv.raft.Message;
import dev.raftkv.raft.Role;
import dev.raftkv.raft.server.RaftServer;
import dev.raftkv.raft.server.Transport;
import dev.raftkv.transport.NettyTransport;
import dev.raftkv.transport.PeerSecurity;
import dev.raftkv.transport.RawPeer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A peer that proved the cookie but sends what no correct leader sends: an AppendEntries with a gap in its
 * indexes, or a membership entry that does not decode, at a term that would make the node follow it. The
 * core would throw on its event loop and the node would stop; the transport closes that connection and
 * the node goes on leading and serving.
 */
class BrokenPeerTest {
    @TempDir
    Path dir;

    @Test
    void anAppendEntriesWithAGapOrAnUndecodableMembershipDoesNotStopTheNode() throws Exception {
        NettyTransport[] transport = new NettyTransport[1];
        RaftkvNode.TransportFactory capturing = new RaftkvNode.TransportFactory() {
            @Override
            public Transport open(NodeConfig config, RaftServer inbound) {
                throw new AssertionError("the node passes its security");
            }

            @Override
            public Transport open(NodeConfig config, RaftServer inbound, PeerSecurity security) throws Exception {
                transport[0] = (NettyTransport) RaftkvNode.NETTY.open(config, inbound, security);
                return transport[0];
            }
        };
        RaftkvNode n1 = RaftkvNode.start(SecureNodes.config("n1", dir, "cookie", NodeSecurity.NONE).withBootstrap(), capturing);
        try {
            org.awaitility.Awaitility.await().until(() -> n1.server().status().get().role() == Role.LEADER);
            transport[0].setPeer("rogue", new InetSocketAddress("127.0.0.1", 1)); // a peer id the node accepts
            InetSocketAddress raft = transport[0].boundAddress();
            List<Message> broken = List.of(
                    new Message.AppendEntries("rogue", "n1", 99, 1, 0,
                            List.of(Entry.normal(99, 2, new byte[1]), Entry.normal(99, 5, new byte[1])), 0),
                    new Message.AppendEntries("rogue", "n1", 99, 1, 0,
                            List.of(new Entry(99, 2, EntryType.CONFIG, new byte[]{1, 0, 0, 0, 9})), 0));
            for (Message m : broken) {
                try (RawPeer rogue = new RawPeer(raft)) {
                    rogue.handshake("rogue", "n1", n1.clusterId(), "cookie").message(m).awaitClosedByServer();
                }
            }
            assertThat(transport[0].malformedFrameCloses()).isEqualTo(2);
            assertThat(n1.failure()).isNotDone();
            assertThat(n1.server().status().get().role()).isEqualTo(Role.LEADER);
            assertThat(n1.server().status().get().term()).isLessThan(99);
            assertThat(SecureNodes.call(n1, null, "PUT", "/v1/kv/k", "still here").statusCode()).isEqualTo(200);
        } finally {
            n1.close();
        }
    }
}
