package dev.raftkv.node;

import dev.raftkv.client.ClientCodec;
import dev.raftkv.client.ClientProtocol;
import dev.raftkv.client.ClientProtocol.Op;
import dev.raftkv.client.ClientProtocol.Status;
import dev.raftkv.client.ClientRequest;
import dev.raftkv.client.ClientResponse;
import dev.raftkv.client.KvClient;
import dev.raftkv.kv.Compare;
import dev.raftkv.kv.KvLimits;
import dev.raftkv.kv.KvResult;
import dev.raftkv.kv.TxnOp;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The binary client port's edge (issue #10.4, #10.5), on raw sockets: keys that are not UTF-8 are refused
 * (they were decoded to U+FFFD, so different bytes named one key), one connection holds a bounded number of
 * bytes, the node as a whole answers OVERLOADED (never proposed, safe to retry) rather than queueing without
 * bound, and the port has a connection cap.
 */
class EdgeBinaryTest {
    private static final byte[] MARK = "KEYMARK".getBytes(StandardCharsets.US_ASCII);
    private static final KvLimits LIMITS = new KvLimits(256, 64 * 1024);

    @TempDir
    Path dir;
    private RaftkvNode node;

    @AfterEach
    void stop() {
        if (node != null) node.close();
    }

    private static byte[] frame(ClientRequest r) {
        ByteBuf b = ClientCodec.encodeRequest(Unpooled.buffer().alloc(), r);
        try {
            return ByteBufUtil.getBytes(b);
        } finally {
            b.release();
        }
    }

    /** A PUT frame whose key bytes are {@code key}, whatever they are: the Java client cannot send such a key. */
    private static byte[] putWithRawKey(long requestId, byte[] key) {
        assertThat(key).hasSize(MARK.length);
        byte[] f = frame(ClientRequest.put(requestId, "raw-client", requestId, "KEYMARK", "v".getBytes(StandardCharsets.UTF_8)));
        for (int i = 0; i + MARK.length <= f.length; i++) {
            if (java.util.Arrays.equals(f, i, i + MARK.length, MARK, 0, MARK.length)) {
                System.arraycopy(key, 0, f, i, key.length);
                return f;
            }
        }
        throw new AssertionError("no key in the frame");
    }

    private static ClientResponse read(DataInputStream in, Op op) throws Exception {
        byte[] body = new byte[in.readInt()];
        in.readFully(body);
        return ClientCodec.decodeResponse(Unpooled.wrappedBuffer(body), op);
    }

    private static byte[] bytes(int... b) {
        byte[] out = new byte[b.length];
        for (int i = 0; i < b.length; i++) out[i] = (byte) b[i];
        return out;
    }

    @Test
    void aKeyThatIsNotUtf8IsRefusedBadRequestAndTheConnectionCarriesOn() throws Exception {
        node = OneNodeCluster.start(dir, LIMITS);
        try (Socket s = new Socket("127.0.0.1", node.clientPort())) {
            s.setSoTimeout(15_000);
            OutputStream out = s.getOutputStream();
            DataInputStream in = new DataInputStream(s.getInputStream());
            out.write(putWithRawKey(1, bytes('a', 'b', 'c', 'd', 'e', 0xFF, 0xFE)));
            ClientResponse first = read(in, Op.PUT);
            assertThat(first.requestId()).isEqualTo(1);
            assertThat(first.status()).isEqualTo(Status.BAD_REQUEST);
            assertThat(first.message()).contains("UTF-8");
            out.write(putWithRawKey(2, bytes('a', 'b', 'c', 'd', 'e', 0xFE, 0xFF)));
            assertThat(read(in, Op.PUT).status()).isEqualTo(Status.BAD_REQUEST);
            out.write(putWithRawKey(3, bytes('a', 'b', 'c', 'd', 'e', 'f', 0xC3))); // a cut two-byte sequence
            assertThat(read(in, Op.PUT).status()).isEqualTo(Status.BAD_REQUEST);
            // nothing was stored under what U+FFFD would have made of them, and the connection still serves
            out.write(frame(ClientRequest.get(4, "abcde\uFFFD\uFFFD", ClientProtocol.Consistency.LINEARIZABLE)));
            ClientResponse get = read(in, Op.GET);
            assertThat(get.requestId()).isEqualTo(4);
            assertThat(get.status()).isEqualTo(Status.NOT_FOUND);
            out.write(putWithRawKey(5, "goodkey".getBytes(StandardCharsets.US_ASCII)));
            assertThat(read(in, Op.PUT).status()).isEqualTo(Status.OK);
        }
    }

    @Test
    void aTransactionWhoseCommandDoesNotDecodeIsRefusedBadRequestAndTheConnectionCarriesOn() throws Exception {
        node = OneNodeCluster.start(dir, LIMITS);
        byte[] valid = frame(ClientRequest.txn(1, "raw-client", 1, List.of(Compare.exists("KEYMARK", true)), List.of(), List.of()));
        byte[] badKey = valid.clone();
        for (int i = 0; i + MARK.length <= badKey.length; i++) {
            if (java.util.Arrays.equals(badKey, i, i + MARK.length, MARK, 0, MARK.length)) badKey[i + 5] = (byte) 0xFF;
        }
        // a transaction that claims a success list of 2^31-1 operations, in a frame of a few bytes
        byte[] hugeCount = frame(ClientRequest.txn(2, "raw-client", 2, List.of(), List.of(), List.of()));
        java.nio.ByteBuffer.wrap(hugeCount).putInt(hugeCount.length - 8, Integer.MAX_VALUE);
        try (Socket s = new Socket("127.0.0.1", node.clientPort())) {
            s.setSoTimeout(15_000);
            OutputStream out = s.getOutputStream();
            DataInputStream in = new DataInputStream(s.getInputStream());
            out.write(badKey);
            ClientResponse first = read(in, Op.TXN);
            assertThat(first.status()).isEqualTo(Status.BAD_REQUEST);
            assertThat(first.message()).contains("UTF-8");
            out.write(hugeCount);
            ClientResponse second = read(in, Op.TXN);
            assertThat(second.requestId()).isEqualTo(2);
            assertThat(second.status()).isEqualTo(Status.BAD_REQUEST);
            out.write(valid);
            ClientResponse third = read(in, Op.TXN);
            assertThat(third.status()).isEqualTo(Status.OK);
            assertThat(((KvResult.TxnDone) third.result()).succeeded()).isFalse(); // KEYMARK does not exist
        }
    }

    @Test
    void theJavaClientRefusesAKeyWithALoneSurrogateInsteadOfSendingAQuestionMark() throws Exception {
        node = OneNodeCluster.start(dir, LIMITS);
        try (KvClient client = new KvClient(List.of(new InetSocketAddress("127.0.0.1", node.clientPort())))) {
            assertThatThrownBy(() -> client.put("lone\uD800", "x".getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).cause().isInstanceOf(KvLimits.Violation.class)
                    .hasMessageContaining("surrogate");
            assertThat(client.get("lone?").get(10, TimeUnit.SECONDS)).isNull();
        }
    }

    @Test
    void theJavaClientRefusesALoneSurrogateInsideATransaction() throws Exception {
        node = OneNodeCluster.start(dir, LIMITS);
        try (KvClient client = new KvClient(List.of(new InetSocketAddress("127.0.0.1", node.clientPort())))) {
            assertThatThrownBy(() -> client.txn(List.of(), List.of(new TxnOp.Put("lone\uDC00", new byte[1])), List.of())
                    .get(10, TimeUnit.SECONDS)).cause().isInstanceOf(KvLimits.Violation.class).hasMessageContaining("surrogate");
            assertThatThrownBy(() -> client.txn(List.of(Compare.exists("lone\uD800", true)), List.of(), List.of())
                    .get(10, TimeUnit.SECONDS)).cause().isInstanceOf(KvLimits.Violation.class);
            assertThat(client.get("lone?").get(10, TimeUnit.SECONDS)).isNull();
        }
    }

    @Test
    void oneConnectionHoldsNoMoreThanItsBytesEvenBelowTheRequestCap() throws Exception {
        long capBytes = 256 * 1024;
        int requests = 300;
        byte[] value = new byte[32 * 1024];
        node = OneNodeCluster.start(dir, LIMITS, EdgeLimits.defaults().withClient(16, capBytes));
        try (Socket s = new Socket("127.0.0.1", node.clientPort())) {
            s.setSoTimeout(60_000);
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            for (int i = 1; i <= requests; i++) all.write(frame(ClientRequest.put(i, "bytes-client", i, "k" + i, value)));
            // the writer blocks once the server stops reading: that is the back-pressure
            Thread writer = new Thread(() -> {
                try {
                    s.getOutputStream().write(all.toByteArray());
                    s.getOutputStream().flush();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, "bytes-writer");
            writer.start();
            DataInputStream in = new DataInputStream(s.getInputStream());
            for (int i = 1; i <= requests; i++) assertThat(read(in, Op.PUT).status()).as("request %d", i).isEqualTo(Status.OK);
            writer.join(30_000);
        }
        ClientServer server = node.clientServer();
        // the cap, the request that crossed it, and what one socket read had already brought in
        assertThat(server.highestConnectionBytes()).isLessThanOrEqualTo(capBytes + value.length + 128 * 1024);
        assertThat(server.highestInFlight()).isLessThan(ClientServer.DEFAULT_MAX_IN_FLIGHT);
        assertThat(server.readPauses()).isPositive();
    }

    @Test
    void pastTheNodesBudgetARequestIsAnsweredOverloadedAndNotApplied() throws Exception {
        // one byte: only a request that finds nothing else in flight is admitted
        node = OneNodeCluster.start(dir, LIMITS, EdgeLimits.defaults().withNode(1, 10_000));
        int requests = 50;
        Map<Long, String> keys = new HashMap<>();
        ByteArrayOutputStream burst = new ByteArrayOutputStream();
        for (long i = 1; i <= requests; i++) {
            keys.put(i, "burst-" + i);
            burst.write(frame(ClientRequest.put(i, "burst-client", i, "burst-" + i, new byte[1024])));
        }
        Map<Long, Status> answers = new HashMap<>();
        try (Socket s = new Socket("127.0.0.1", node.clientPort())) {
            s.setSoTimeout(15_000);
            s.getOutputStream().write(burst.toByteArray()); // one write: the frames arrive together
            DataInputStream in = new DataInputStream(s.getInputStream());
            for (int i = 0; i < requests; i++) {
                ClientResponse r = read(in, Op.PUT);
                answers.put(r.requestId(), r.status());
            }
        }
        assertThat(answers).hasSize(requests);
        assertThat(answers.values()).containsOnly(Status.OK, Status.OVERLOADED).contains(Status.OVERLOADED, Status.OK);
        await().atMost(Duration.ofSeconds(5)).until(() -> node.budget().requestsInUse() == 0 && node.budget().bytesInUse() == 0);
        try (KvClient client = new KvClient(List.of(new InetSocketAddress("127.0.0.1", node.clientPort())))) {
            for (Map.Entry<Long, Status> a : answers.entrySet()) {
                byte[] stored = client.get(keys.get(a.getKey())).get(10, TimeUnit.SECONDS);
                if (a.getValue() == Status.OK) assertThat(stored).as(keys.get(a.getKey())).isNotNull();
                else assertThat(stored).as("%s was answered OVERLOADED, so it must not be applied", keys.get(a.getKey())).isNull();
            }
        }
    }

    @Test
    void theJavaClientRetriesOverloadedUntilItsWritesAreApplied() throws Exception {
        node = OneNodeCluster.start(dir, LIMITS, EdgeLimits.defaults().withNode(1, 10_000));
        try (KvClient client = new KvClient(List.of(new InetSocketAddress("127.0.0.1", node.clientPort())))) {
            List<CompletableFuture<Long>> puts = new ArrayList<>();
            for (int i = 0; i < 64; i++) puts.add(client.put("retried-" + i, new byte[512]));
            for (CompletableFuture<Long> p : puts) assertThat(p.get(10, TimeUnit.SECONDS)).isPositive();
            for (int i = 0; i < 64; i++) assertThat(client.get("retried-" + i).get(10, TimeUnit.SECONDS)).hasSize(512);
        }
        assertThat(node.budget().refused()).isPositive(); // the node did refuse some: the client rode it out
    }

    @Test
    void pastTheConnectionCapANewClientConnectionIsClosed() throws Exception {
        node = OneNodeCluster.start(dir, LIMITS, EdgeLimits.defaults().withClient(2, EdgeLimits.DEFAULT_CLIENT_MAX_IN_FLIGHT_BYTES));
        byte[] status = frame(new ClientRequest(Op.STATUS, 1, "", 0, "", null, null, null));
        try (Socket a = new Socket("127.0.0.1", node.clientPort()); Socket b = new Socket("127.0.0.1", node.clientPort())) {
            for (Socket s : List.of(a, b)) {
                s.setSoTimeout(15_000);
                s.getOutputStream().write(status);
                assertThat(read(new DataInputStream(s.getInputStream()), Op.STATUS).status()).isEqualTo(Status.OK);
            }
            try (Socket c = new Socket("127.0.0.1", node.clientPort())) {
                c.setSoTimeout(15_000);
                assertThat(closedByServer(c)).isTrue();
            }
        }
        // the closed ones gave their places back
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            try (Socket d = new Socket("127.0.0.1", node.clientPort())) {
                d.setSoTimeout(5_000);
                d.getOutputStream().write(status);
                assertThat(read(new DataInputStream(d.getInputStream()), Op.STATUS).status()).isEqualTo(Status.OK);
            }
        });
    }

    private static boolean closedByServer(Socket s) throws IOException {
        try {
            return s.getInputStream().read() == -1;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset
        }
    }
}
