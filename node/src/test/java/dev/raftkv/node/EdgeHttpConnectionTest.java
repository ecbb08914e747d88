package dev.raftkv.node;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The HTTP port's connection limits (issue #10.4, #10.5), on raw sockets against the node's real HTTP pipeline
 * ({@link HttpConnection#install}) serving a stand-in whose answers the test completes when it likes: pipelined
 * answers in request order, the connection cap, the read timeout that ends a slowloris request, the idle
 * timeout, and the node-wide budget answering 503 instead of queueing.
 */
class EdgeHttpConnectionTest {
    private static final Duration READ_TIMEOUT = Duration.ofMillis(300);
    private static final Duration IDLE_TIMEOUT = Duration.ofMillis(500);

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    /** Answers to "/slow/NAME" requests, completed by the test. */
    private final Map<String, CompletableFuture<HttpApi.Reply>> slow = new ConcurrentHashMap<>();
    private ConnectionCount connections;
    private InFlightBudget budget;
    private Channel server;

    private final HttpConnection.Service service = new HttpConnection.Service() {
        @Override
        public CompletableFuture<HttpApi.Reply> answer(FullHttpRequest request) {
            String path = request.uri();
            String body = ByteBufUtil.getBytes(request.content()).length + " bytes";
            if (path.startsWith("/slow/")) return slow.computeIfAbsent(path.substring(6), k -> new CompletableFuture<>());
            return CompletableFuture.completedFuture(HttpApi.Reply.json(200, Map.of("path", path, "body", body)));
        }

        @Override
        public HttpApi.Reply errorReply(Throwable error) {
            return HttpApi.Reply.error(500, "internal", error.toString());
        }
    };

    private int start(int maxConnections, InFlightBudget budget) throws InterruptedException {
        EdgeLimits edge = EdgeLimits.defaults().withHttp(maxConnections, 1024, READ_TIMEOUT, IDLE_TIMEOUT);
        this.connections = new ConnectionCount(maxConnections);
        this.budget = budget;
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        HttpConnection.install(ch.pipeline(), service, connections, edge, budget, 4096, 4096);
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    private int start(int maxConnections) throws InterruptedException {
        return start(maxConnections, new InFlightBudget(1 << 30, 1000));
    }

    @AfterEach
    void stop() {
        slow.values().forEach(f -> f.complete(HttpApi.Reply.json(200, Map.of())));
        if (server != null) server.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    private static String get(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n";
    }

    private static String pathOf(RawHttp.Answer a) {
        String text = a.text();
        int at = text.indexOf("\"path\":\"") + 8;
        return text.substring(at, text.indexOf('"', at));
    }

    @Test
    void pipelinedRequestsAreAnsweredInRequestOrderEvenWhenALaterOneFinishesFirst() throws Exception {
        int port = start(8);
        try (RawHttp http = new RawHttp(port)) {
            http.send(get("/slow/first") + get("/fast/second") + get("/fast/third"));
            await().atMost(Duration.ofSeconds(5)).until(() -> slow.containsKey("first"));
            // the two fast answers are ready; the first is not, so nothing may be written yet
            slow.get("first").complete(HttpApi.Reply.json(200, Map.of("path", "/slow/first")));
            assertThat(pathOf(http.read())).isEqualTo("/slow/first");
            assertThat(pathOf(http.read())).isEqualTo("/fast/second");
            assertThat(pathOf(http.read())).isEqualTo("/fast/third");
        }
    }

    @Test
    void pastTheConnectionCapANewConnectionIsAnswered503AndClosed() throws Exception {
        int port = start(2);
        try (RawHttp a = new RawHttp(port); RawHttp b = new RawHttp(port)) {
            await().atMost(Duration.ofSeconds(5)).until(() -> connections.open() == 2);
            try (RawHttp c = new RawHttp(port)) {
                RawHttp.Answer refused = c.read();
                assertThat(refused.status()).isEqualTo(503);
                assertThat(refused.text()).contains("\"error\":\"overloaded\"");
                assertThat(refused.headers()).containsKey("retry-after");
                assertThat(c.closedByServer()).isTrue();
            }
            assertThat(a.send(get("/fast/a")).read().status()).isEqualTo(200);
        }
        // a closed connection gives its place back
        await().atMost(Duration.ofSeconds(5)).until(() -> connections.open() == 0);
        try (RawHttp d = new RawHttp(port)) {
            assertThat(d.send(get("/fast/d")).read().status()).isEqualTo(200);
        }
    }

    @Test
    void headersThatNeverEndAreAnswered408AndTheConnectionClosed() throws Exception {
        int port = start(8);
        try (RawHttp http = new RawHttp(port)) {
            http.timeout(5_000); // far above the read timeout: the server, not this socket, must end it
            http.send("GET /fast/never HTTP/1.1\r\nHost: x\r\nX-Slow: ");
            RawHttp.Answer a = http.read();
            assertThat(a.status()).isEqualTo(408);
            assertThat(a.text()).contains("\"error\":\"request_timeout\"");
            assertThat(http.closedByServer()).isTrue();
        }
    }

    @Test
    void aBodyShorterThanItsContentLengthIsAnswered408AndTheConnectionClosed() throws Exception {
        int port = start(8);
        try (RawHttp http = new RawHttp(port)) {
            http.timeout(5_000);
            http.send("PUT /fast/short HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n0123456789");
            RawHttp.Answer a = http.read();
            assertThat(a.status()).isEqualTo(408);
            assertThat(http.closedByServer()).isTrue();
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> connections.open() == 0);
    }

    @Test
    void aRequestThatArrivesSlowlyButWithinTheReadTimeoutIsServed() throws Exception {
        int port = start(8);
        try (RawHttp http = new RawHttp(port)) {
            http.send("PUT /fast/split HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nab");
            http.send("cd");
            RawHttp.Answer a = http.read();
            assertThat(a.status()).isEqualTo(200);
            assertThat(a.text()).contains("4 bytes");
        }
    }

    @Test
    void aConnectionWithNothingToDoIsClosedAfterTheIdleTimeout() throws Exception {
        int port = start(8);
        try (RawHttp http = new RawHttp(port)) {
            http.timeout(5_000);
            assertThat(http.send(get("/fast/once")).read().status()).isEqualTo(200);
            assertThat(http.closedByServer()).isTrue();
        }
        try (RawHttp silent = new RawHttp(port)) {
            silent.timeout(5_000);
            assertThat(silent.closedByServer()).isTrue();
        }
    }

    @Test
    void aRequestTheNodeHasNoRoomForIsAnswered503AtOnceAndTheBudgetIsGivenBack() throws Exception {
        int port = start(8, new InFlightBudget(1 << 30, 1));
        try (RawHttp holder = new RawHttp(port); RawHttp other = new RawHttp(port)) {
            holder.send(get("/slow/held"));
            await().atMost(Duration.ofSeconds(5)).until(() -> slow.containsKey("held"));
            RawHttp.Answer refused = other.send("PUT /fast/refused HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc").read();
            assertThat(refused.status()).isEqualTo(503);
            assertThat(refused.text()).contains("\"error\":\"overloaded\"");
            assertThat(refused.headers().get("retry-after")).isEqualTo("1");
            // its body was dropped, so the connection can carry the retry
            slow.get("held").complete(HttpApi.Reply.json(200, Map.of("path", "/slow/held")));
            assertThat(pathOf(holder.read())).isEqualTo("/slow/held");
            await().atMost(Duration.ofSeconds(5)).until(() -> budget.requestsInUse() == 0);
            assertThat(other.send(get("/fast/retried")).read().status()).isEqualTo(200);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> budget.requestsInUse() == 0 && budget.bytesInUse() == 0);
        assertThat(budget.refused()).isEqualTo(1);
    }

    @Test
    void requestsAndAnswersAreCountedInTheBudgetUntilWrittenThenGivenBack() throws Exception {
        int port = start(8, new InFlightBudget(1 << 30, 100));
        try (RawHttp http = new RawHttp(port)) {
            byte[] body = "x".repeat(1000).getBytes(StandardCharsets.US_ASCII);
            http.send("PUT /slow/big HTTP/1.1\r\nHost: x\r\nContent-Length: " + body.length + "\r\n\r\n");
            http.send(body);
            await().atMost(Duration.ofSeconds(5)).until(() -> slow.containsKey("big"));
            assertThat(budget.bytesInUse()).isGreaterThanOrEqualTo(body.length);
            slow.get("big").complete(HttpApi.Reply.json(200, Map.of("path", "/slow/big")));
            assertThat(http.read().status()).isEqualTo(200);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> budget.bytesInUse() == 0 && budget.requestsInUse() == 0);
    }
}
