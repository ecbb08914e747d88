package dev.raftkv.node;

import dev.raftkv.client.ClientConnection;
import dev.raftkv.client.ClientProtocol;
import dev.raftkv.client.ClientRequest;
import dev.raftkv.client.ClientResponse;
import dev.raftkv.kv.KvLimits;
import dev.raftkv.raft.Role;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Fail fast and say why (#10.8), over HTTP and the binary protocol: writes a leader took are answered
 * "outcome unknown" the moment it steps down, not when the request timeout (here 30 s) runs out; a node
 * that knows no leader says how many voters it can reach.
 */
class FailFastTest {
    private static final InetSocketAddress ANY = new InetSocketAddress("127.0.0.1", 0);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path dir;
    private final List<RaftkvNode> nodes = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());

    @AfterEach
    void stop() {
        nodes.forEach(RaftkvNode::close);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    /** Ticks of 20 ms and an election timeout of 50 ticks: a leader cut off steps down after one second. */
    private static NodeConfig config(String id, Path dataDir, Map<String, InetSocketAddress> peers) {
        return new NodeConfig(id, ANY, ANY, ANY, peers, Map.of(), Map.of(), dataDir, "cookie", 20, 50, 1000,
                KvLimits.DEFAULT, REQUEST_TIMEOUT);
    }

    private RaftkvNode start(NodeConfig cfg) throws Exception {
        RaftkvNode n = RaftkvNode.start(cfg, RaftkvNode.NETTY);
        nodes.add(n);
        return n;
    }

    private CompletableFuture<HttpResponse<String>> put(RaftkvNode node, String key) {
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + "/v1/kv/" + key))
                .timeout(Duration.ofSeconds(60)).PUT(HttpRequest.BodyPublishers.ofString("v")).build();
        return http.sendAsync(req, HttpResponse.BodyHandlers.ofString());
    }

    private ClientConnection connect(RaftkvNode node) throws Exception {
        return ClientConnection.connect(group, new InetSocketAddress("127.0.0.1", node.clientPort()),
                ClientProtocol.maxFrameBytes(KvLimits.DEFAULT.maxValueBytes()), 2000).get(5, TimeUnit.SECONDS);
    }

    @Test
    void writesPendingOnALeaderThatLosesItsMajorityAreAnswered504AtOnce() throws Exception {
        RaftkvNode n1 = start(config("n1", dir.resolve("n1"), Map.of()).withBootstrap());
        await().atMost(Duration.ofSeconds(10)).until(() -> n1.server().status().get().role() == Role.LEADER);
        RaftkvNode n2 = start(config("n2", dir.resolve("n2"), Map.of()).withJoin(List.of("127.0.0.1:" + n1.httpPort())));
        n2.joined().get(30, TimeUnit.SECONDS); // two voters now: n1 needs n2 to commit
        assertThat(put(n1, "before").get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        ClientConnection binary = connect(n1);

        n2.close();
        long t0 = System.nanoTime();
        CompletableFuture<HttpResponse<String>> overHttp = put(n1, "during-http");
        CompletableFuture<ClientResponse> overBinary = binary.send(
                ClientRequest.put(1, "client-1", 1, "during-binary", "v".getBytes(StandardCharsets.UTF_8)));

        HttpResponse<String> answer = overHttp.get(20, TimeUnit.SECONDS);
        ClientResponse binaryAnswer = overBinary.get(20, TimeUnit.SECONDS);
        long millis = (System.nanoTime() - t0) / 1_000_000;
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(504);
        assertThat(answer.body()).contains("\"error\":\"outcome_unknown\"").contains("n1 stopped leading term");
        assertThat(binaryAnswer.status()).as(binaryAnswer.message()).isEqualTo(ClientProtocol.Status.OUTCOME_UNKNOWN);
        assertThat(binaryAnswer.message()).contains("n1 stopped leading term");
        assertThat(millis).as("answered when n1 stepped down, long before the request timeout")
                .isLessThan(REQUEST_TIMEOUT.toMillis() / 3);
        binary.close();
    }

    @Test
    void aNodeThatKnowsNoLeaderSaysHowManyVotersItCanReach() throws Exception {
        InetSocketAddress nobody;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            nobody = new InetSocketAddress("127.0.0.1", s.getLocalPort());
        }
        RaftkvNode n1 = start(config("n1", dir.resolve("n1"), Map.of("n1", ANY, "n2", nobody)));

        HttpResponse<String> answer = put(n1, "k").get(10, TimeUnit.SECONDS);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(503);
        assertThat(answer.body()).contains("\"error\":\"no_leader\"")
                .contains("no leader: 1 of 2 voters reachable; a majority (2) is needed to elect one");
        HttpResponse<String> read = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + n1.httpPort() + "/v1/kv/k")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(read.statusCode()).as(read.body()).isEqualTo(503);
        assertThat(read.body()).contains("\"error\":\"no_leader\"");

        ClientConnection binary = connect(n1);
        ClientResponse refused = binary.send(ClientRequest.put(1, "client-1", 1, "k", "v".getBytes(StandardCharsets.UTF_8)))
                .get(10, TimeUnit.SECONDS);
        assertThat(refused.status()).isEqualTo(ClientProtocol.Status.NOT_APPLIED);
        assertThat(refused.message()).startsWith("no leader: 1 of 2 voters reachable");
        binary.close();
    }
}
