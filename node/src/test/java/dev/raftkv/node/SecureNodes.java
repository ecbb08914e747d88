package dev.raftkv.node;

import dev.raftkv.kv.KvLimits;
import dev.raftkv.raft.Role;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;

/** Nodes in this JVM on real sockets (Netty on 127.0.0.1, OS-chosen ports), with tokens, for the security tests. */
final class SecureNodes {
    static final String CLIENT_TOKEN = "client-token-4b1d";
    static final String ADMIN_TOKEN = "admin-token-77e0";
    private static final InetSocketAddress ANY = new InetSocketAddress("127.0.0.1", 0);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private SecureNodes() {
    }

    static NodeConfig config(String id, Path dataDir, String cookie, NodeSecurity security) {
        return new NodeConfig(id, ANY, ANY, ANY, Map.of(), Map.of(), Map.of(), dataDir, cookie, 20, 10, 1000,
                KvLimits.DEFAULT, Duration.ofSeconds(5)).withSecurity(security);
    }

    static NodeSecurity tokens() {
        return new NodeSecurity(null, null, CLIENT_TOKEN, ADMIN_TOKEN);
    }

    /** A new cluster of one, leading itself. */
    static RaftkvNode bootstrap(String id, Path dataDir, String cookie, NodeSecurity security) throws Exception {
        RaftkvNode node = RaftkvNode.start(config(id, dataDir, cookie, security).withBootstrap(), RaftkvNode.NETTY);
        // leading, with its first entry of the term committed: nothing more happens until someone asks
        await().atMost(Duration.ofSeconds(10)).until(() -> node.server().status().get().role() == Role.LEADER
                && node.server().status().get().commitIndex() >= 2);
        return node;
    }

    /** A new node asking {@code via} to take it in. */
    static RaftkvNode join(String id, Path dataDir, String cookie, NodeSecurity security, RaftkvNode via) throws Exception {
        return RaftkvNode.start(config(id, dataDir, cookie, security).withJoin(List.of("127.0.0.1:" + via.httpPort())),
                RaftkvNode.NETTY);
    }

    static HttpResponse<String> call(RaftkvNode node, String token, String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + path))
                .timeout(Duration.ofSeconds(15))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) b.header("Authorization", "Bearer " + token);
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
