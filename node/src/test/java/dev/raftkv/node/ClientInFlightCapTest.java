package dev.raftkv.node;

import dev.raftkv.client.ClientCodec;
import dev.raftkv.client.ClientConnection;
import dev.raftkv.client.ClientProtocol;
import dev.raftkv.client.ClientProtocol.Status;
import dev.raftkv.client.ClientRequest;
import dev.raftkv.client.ClientResponse;
import dev.raftkv.kv.KvLimits;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The client protocol server serves at most a fixed number of requests per connection at once and stops
 * reading beyond it: a client that pipelines far more still gets every answer, and the server never
 * had more than the cap in flight.
 */
class ClientInFlightCapTest {
    private static final int CAP = 16;
    private static final int REQUESTS = 5_000;

    @TempDir
    Path dir;
    private RaftkvNode node;
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());

    @AfterEach
    void stop() {
        if (node != null) node.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Writes wait for an fsync, so they stay in flight long enough for a pipelining client to reach the cap. */
    private static ClientRequest request(int i) {
        return i % 4 == 3
                ? ClientRequest.get(i, "k" + (i - 1), ClientProtocol.Consistency.LINEARIZABLE)
                : ClientRequest.put(i, "client-" + i, 1, "k" + i, utf8("v" + i));
    }

    @Test
    void aClientPipeliningFarMoreThanTheCapGetsEveryAnswerAndTheServerNeverHoldsMoreThanTheCap() throws Exception {
        node = OneNodeCluster.start(dir, new KvLimits(64, 1024), CAP);
        ClientConnection conn = ClientConnection.connect(group, new InetSocketAddress("127.0.0.1", node.clientPort()),
                ClientProtocol.maxFrameBytes(1024), 2000).get(5, TimeUnit.SECONDS);
        try {
            List<CompletableFuture<ClientResponse>> answers = new ArrayList<>();
            for (int i = 1; i <= REQUESTS; i++) answers.add(conn.send(request(i)));
            for (int i = 1; i <= REQUESTS; i++) {
                ClientResponse r = answers.get(i - 1).get(60, TimeUnit.SECONDS);
                assertThat(r.requestId()).isEqualTo(i);
                assertThat(r.status()).as("request %d", i).isIn(Status.OK, Status.NOT_FOUND);
            }
        } finally {
            conn.close();
        }
        ClientServer server = node.clientServer();
        assertThat(server.highestInFlight()).isEqualTo(CAP); // reached, never passed
        assertThat(server.readPauses()).isPositive();
    }

    @Test
    void aClientThatSendsButDoesNotReadIsHeldBackAndStillGetsEveryAnswerLater() throws Exception {
        node = OneNodeCluster.start(dir, new KvLimits(64, 1024), CAP);
        try (Socket s = new Socket("127.0.0.1", node.clientPort())) {
            s.setSoTimeout(60_000);
            // the writer blocks once the server stops reading and the socket buffers fill: that is the back-pressure
            Thread writer = new Thread(() -> {
                try {
                    OutputStream out = s.getOutputStream();
                    for (int i = 1; i <= REQUESTS; i++) {
                        ByteBuf frame = ClientCodec.encodeRequest(Unpooled.buffer().alloc(), request(i));
                        out.write(ByteBufUtil.getBytes(frame));
                        frame.release();
                    }
                    out.flush();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, "pipelining-writer");
            writer.start();
            ClientServer server = node.clientServer();
            await().atMost(Duration.ofSeconds(30)).until(() -> server.readPauses() > 0);

            DataInputStream in = new DataInputStream(s.getInputStream());
            Set<Long> answered = new HashSet<>();
            for (int i = 0; i < REQUESTS; i++) {
                byte[] body = new byte[in.readInt()];
                in.readFully(body);
                answered.add(ClientCodec.peekRequestId(Unpooled.wrappedBuffer(body)));
            }
            writer.join(30_000);
            assertThat(answered).hasSize(REQUESTS);
            assertThat(server.highestInFlight()).isLessThanOrEqualTo(CAP);
        }
    }
}
