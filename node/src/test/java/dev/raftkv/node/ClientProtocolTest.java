package dev.raftkv.node;

import dev.raftkv.client.ClientConnection;
import dev.raftkv.client.ClientProtocol;
import dev.raftkv.client.ClientProtocol.Status;
import dev.raftkv.client.ClientRequest;
import dev.raftkv.client.ClientResponse;
import dev.raftkv.kv.KvLimits;
import dev.raftkv.kv.KvResult;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataOutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The binary client protocol against a one-node cluster, request by request and pipelined. */
class ClientProtocolTest {
    @TempDir
    Path dir;
    private RaftkvNode node;
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private ClientConnection conn;

    @BeforeEach
    void start() throws Exception {
        node = OneNodeCluster.start(dir, new KvLimits(64, 1024));
        conn = ClientConnection.connect(group, new InetSocketAddress("127.0.0.1", node.clientPort()),
                ClientProtocol.maxFrameBytes(1024), 2000).get(5, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() {
        if (conn != null) conn.close();
        if (node != null) node.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    private ClientResponse call(ClientRequest r) throws Exception {
        ClientResponse answer = conn.send(r).get(10, TimeUnit.SECONDS);
        assertThat(answer.requestId()).isEqualTo(r.requestId());
        return answer;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void putGetCasDeleteAndStatus() throws Exception {
        assertThat(call(ClientRequest.put(1, "c1", 1, "k", utf8("v1"))).result()).isInstanceOf(KvResult.Written.class);
        ClientResponse get = call(ClientRequest.get(2, "k", ClientProtocol.Consistency.LINEARIZABLE));
        assertThat(get.status()).isEqualTo(Status.OK);
        assertThat(((KvResult.Value) get.result()).value()).isEqualTo(utf8("v1"));
        assertThat(call(ClientRequest.get(3, "nope", ClientProtocol.Consistency.LOCAL)).status()).isEqualTo(Status.NOT_FOUND);
        ClientResponse lease = call(ClientRequest.get(30, "k", ClientProtocol.Consistency.LEASE));
        assertThat(((KvResult.Value) lease.result()).value()).isEqualTo(utf8("v1"));

        ClientResponse casFailed = call(ClientRequest.cas(4, "c1", 2, "k", utf8("other"), utf8("v2")));
        assertThat(casFailed.status()).isEqualTo(Status.CAS_FAILED);
        assertThat(((KvResult.CasDone) casFailed.result()).current()).isEqualTo(utf8("v1"));
        assertThat(call(ClientRequest.cas(5, "c1", 3, "k", utf8("v1"), utf8("v2"))).status()).isEqualTo(Status.OK);
        assertThat(call(ClientRequest.cas(6, "c1", 4, "absent", null, utf8("new"))).status()).isEqualTo(Status.OK);

        assertThat(((KvResult.Deleted) call(ClientRequest.delete(7, "c1", 5, "k")).result()).existed()).isTrue();
        assertThat(((KvResult.Deleted) call(ClientRequest.delete(8, "c1", 6, "k")).result()).existed()).isFalse();

        ClientResponse status = call(ClientRequest.status(9));
        assertThat(status.node().id()).isEqualTo("n1");
        assertThat(status.node().role()).isEqualTo("leader");
        assertThat(status.node().leader()).isEqualTo("n1");
    }

    @Test
    void aRetriedWriteWithTheSameClientAndSeqIsAppliedOnce() throws Exception {
        call(ClientRequest.put(1, "c1", 1, "k", utf8("a")));
        ClientRequest cas = ClientRequest.cas(2, "c1", 2, "k", utf8("a"), utf8("b"));
        assertThat(call(cas).status()).isEqualTo(Status.OK);
        // applied a second time it would fail (the value is "b" now); as a retry it gets the first answer
        assertThat(call(cas.withRequestId(3)).status()).isEqualTo(Status.OK);
        // the same CAS under a new seq is a new request, and fails
        assertThat(call(ClientRequest.cas(4, "c1", 3, "k", utf8("a"), utf8("b"))).status()).isEqualTo(Status.CAS_FAILED);
    }

    @Test
    void manyRequestsInFlightOnOneConnectionAreAnsweredByRequestId() throws Exception {
        List<CompletableFuture<ClientResponse>> answers = new ArrayList<>();
        for (int i = 1; i <= 200; i++) answers.add(conn.send(ClientRequest.put(i, "client-" + i, 1, "k" + i, utf8("v" + i))));
        for (int i = 1; i <= 200; i++) {
            ClientResponse r = answers.get(i - 1).get(10, TimeUnit.SECONDS);
            assertThat(r.requestId()).isEqualTo(i);
            assertThat(r.status()).isEqualTo(Status.OK);
        }
        ClientResponse get = call(ClientRequest.get(1000, "k77", ClientProtocol.Consistency.LINEARIZABLE));
        assertThat(((KvResult.Value) get.result()).value()).isEqualTo(utf8("v77"));
    }

    @Test
    void badAndOversizedRequestsGetErrorsAndTheConnectionStaysUp() throws Exception {
        ClientResponse big = call(ClientRequest.put(1, "c1", 1, "k", new byte[2000]));
        assertThat(big.status()).isEqualTo(Status.TOO_LARGE);
        assertThat(call(ClientRequest.put(2, "c1", 1, "", utf8("v"))).status()).isEqualTo(Status.BAD_REQUEST);
        assertThat(call(ClientRequest.put(3, "", 1, "k", utf8("v"))).status()).isEqualTo(Status.BAD_REQUEST);
        assertThat(call(ClientRequest.put(4, "c1", 1, "k", utf8("v"))).status()).isEqualTo(Status.OK);
    }

    @Test
    void aMalformedFrameClosesTheConnection() throws Exception {
        try (Socket s = new Socket("127.0.0.1", node.clientPort())) {
            s.setSoTimeout(10_000);
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            out.writeInt(9);
            out.writeByte(99); // no such op
            out.writeLong(1);
            out.flush();
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        }
        try (Socket s = new Socket("127.0.0.1", node.clientPort())) {
            s.setSoTimeout(10_000);
            new DataOutputStream(s.getOutputStream()).writeInt(Integer.MAX_VALUE);
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        }
        // other connections are unaffected
        await().atMost(Duration.ofSeconds(5)).until(conn::isActive);
        assertThat(call(ClientRequest.status(1)).status()).isEqualTo(Status.OK);
    }
}
