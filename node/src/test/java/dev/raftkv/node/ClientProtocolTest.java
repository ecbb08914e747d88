package dev.raftkv.node;

import dev.raftkv.client.ClientConnection;
import dev.raftkv.client.ClientProtocol;
import dev.raftkv.client.ClientProtocol.Status;
import dev.raftkv.client.ClientRequest;
import dev.raftkv.client.ClientResponse;
import dev.raftkv.kv.Compare;
import dev.raftkv.kv.KeyRange;
import dev.raftkv.kv.KvLimits;
import dev.raftkv.kv.KvQuery;
import dev.raftkv.kv.TxnOp;
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
        long put = ((KvResult.Written) call(ClientRequest.put(31, "c1", 100, "r", utf8("x"))).result()).index();
        ClientResponse swapped = call(ClientRequest.cas(5, "c1", 101, "k", utf8("v1"), utf8("v2")));
        assertThat(swapped.status()).isEqualTo(Status.OK);
        long swappedAt = ((KvResult.CasDone) swapped.result()).revision();
        assertThat(swappedAt).as("every write answers with its revision, later ones with later revisions").isGreaterThan(put);
        assertThat(((KvResult.CasDone) casFailed.result()).revision()).isPositive().isLessThan(put);
        assertThat(call(ClientRequest.cas(6, "c1", 102, "absent", null, utf8("new"))).status()).isEqualTo(Status.OK);

        KvResult.Deleted deleted = (KvResult.Deleted) call(ClientRequest.delete(7, "c1", 103, "k")).result();
        assertThat(deleted.existed()).isTrue();
        assertThat(deleted.revision()).isGreaterThan(swappedAt);
        assertThat(((KvResult.Deleted) call(ClientRequest.delete(8, "c1", 104, "k")).result()).existed()).isFalse();

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
    void rangesCountsDeleteRangesAndTransactions() throws Exception {
        for (int i = 0; i < 5; i++) call(ClientRequest.put(10 + i, "c1", 1 + i, "p/" + i, utf8("v" + i)));
        call(ClientRequest.put(20, "c1", 6, "q", utf8("outside")));
        ClientResponse page = call(ClientRequest.range(21, new KvQuery.Range(KeyRange.prefix("p/"), 3, false, false),
                ClientProtocol.Consistency.LINEARIZABLE));
        KvResult.Page p = (KvResult.Page) page.result();
        assertThat(p.items()).extracting(i -> new String(i.key(), StandardCharsets.UTF_8)).containsExactly("p/0", "p/1", "p/2");
        assertThat(p.next()).isEqualTo(utf8("p/3"));
        ClientResponse count = call(ClientRequest.range(22, new KvQuery.Range(KeyRange.prefix("p/"), 1, true, true),
                ClientProtocol.Consistency.LOCAL));
        assertThat(((KvResult.Count) count.result()).count()).isEqualTo(5);
        // a bad limit is the node's BAD_REQUEST, and the connection carries on
        assertThat(call(ClientRequest.range(23, new KvQuery.Range(KeyRange.prefix("p/"), 0, false, false),
                ClientProtocol.Consistency.LINEARIZABLE)).status()).isEqualTo(Status.BAD_REQUEST);

        KvResult.TxnDone done = (KvResult.TxnDone) call(ClientRequest.txn(24, "c1", 7,
                List.of(Compare.value("q", Compare.Relation.EQUAL, utf8("outside"))),
                List.of(new TxnOp.Put("q", utf8("moved")), new TxnOp.Get("p/0")), List.of())).result();
        assertThat(done.succeeded()).isTrue();
        assertThat(((KvResult.Value) done.results().get(1)).value()).isEqualTo(utf8("v0"));
        KvResult.DeletedRange deleted = (KvResult.DeletedRange) call(ClientRequest.deleteRange(25, "c1", 8, KeyRange.prefix("p/"))).result();
        assertThat(deleted.count()).isEqualTo(5);
        assertThat(deleted.revision()).isGreaterThan(done.revision());
        // a write needs an identity, as PUT does
        assertThat(call(ClientRequest.deleteRange(26, "", 0, KeyRange.prefix("q"))).status()).isEqualTo(Status.BAD_REQUEST);
        // over the 128 compares and operations in all; one list longer than that does not even decode
        List<TxnOp> half = java.util.Collections.nCopies(65, new TxnOp.Get("q"));
        assertThat(call(ClientRequest.txn(27, "c1", 9, List.of(), half, half)).status()).isEqualTo(Status.TOO_LARGE);
        List<TxnOp> many = java.util.Collections.nCopies(129, new TxnOp.Get("q"));
        ClientResponse tooMany = call(ClientRequest.txn(27, "c1", 10, List.of(), many, List.of()));
        assertThat(tooMany.status()).isEqualTo(Status.BAD_REQUEST);
        assertThat(tooMany.message()).contains("129");
        assertThat(((KvResult.Value) call(ClientRequest.get(28, "q", ClientProtocol.Consistency.LINEARIZABLE)).result()).value())
                .isEqualTo(utf8("moved"));
    }

    @Test
    void aRetriedTransactionIsAppliedOnceAndAnsweredWithItsFirstResult() throws Exception {
        call(ClientRequest.put(1, "c1", 1, "n", utf8("0")));
        List<Compare> isZero = List.of(Compare.value("n", Compare.Relation.EQUAL, utf8("0")));
        List<TxnOp> setOne = List.of(new TxnOp.Put("n", utf8("1")));
        ClientRequest bump = ClientRequest.txn(2, "c1", 2, isZero, setOne, List.of(new TxnOp.Get("n")));
        KvResult.TxnDone first = (KvResult.TxnDone) call(bump).result();
        assertThat(first.succeeded()).isTrue();
        // applied again, its compare would fail; as a retry it gets the first answer, revision and all
        assertThat(call(bump.withRequestId(3)).result()).isEqualTo(first);
        // the same transaction under a new seq is a new write, and its compare fails
        KvResult.TxnDone fresh = (KvResult.TxnDone) call(ClientRequest.txn(4, "c1", 3, isZero, setOne, List.of(new TxnOp.Get("n")))).result();
        assertThat(fresh.succeeded()).isFalse();
        assertThat(((KvResult.Value) fresh.results().get(0)).value()).isEqualTo(utf8("1"));
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
