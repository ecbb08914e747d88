package dev.raftkv.node;

import dev.raftkv.client.ClientSecurity;
import io.netty.handler.codec.http.HttpMethod;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Passes a request a follower cannot answer on to the leader's HTTP port, once: over TLS when the
 * cluster runs it (trusting the cluster's CA), with the caller's own {@code Authorization} header, so the
 * leader decides on the caller's rights, not on the follower's.
 */
final class LeaderForwarder {
    private final ClientSecurity security;
    private final HttpClient client;

    LeaderForwarder(ClientSecurity security) {
        this.security = security;
        this.client = security.httpClient();
    }

    CompletableFuture<HttpResponse<byte[]>> forward(HttpMethod method, String leaderHttp, String uri, byte[] body,
                                                    String authorization) {
        HttpRequest.Builder req = HttpRequest.newBuilder(security.uri(leaderHttp, uri))
                .timeout(Duration.ofSeconds(10))
                .header(HttpApi.FORWARDED, "1")
                .method(method.name(), HttpRequest.BodyPublishers.ofByteArray(body));
        if (authorization != null) req.header("Authorization", authorization);
        return client.sendAsync(req.build(), HttpResponse.BodyHandlers.ofByteArray());
    }
}
