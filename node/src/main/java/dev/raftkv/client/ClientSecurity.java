package dev.raftkv.client;

import dev.raftkv.transport.Tls;
import io.netty.handler.ssl.SslContext;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;

/**
 * How a client reaches a cluster: over TLS when it has the cluster's CA ({@code ca}, PEM; null: plain
 * text), and with a bearer token when the cluster wants one ({@code token}; null: none). The same for the
 * binary protocol ({@link KvClient}) and HTTP (the CLI, the test harness, a node that forwards or joins).
 */
public record ClientSecurity(Path ca, String token) {
    public static final ClientSecurity NONE = new ClientSecurity(null, null);

    public ClientSecurity withToken(String t) {
        return new ClientSecurity(ca, t);
    }

    public boolean tls() {
        return ca != null;
    }

    /** {@code http://} or {@code https://} and the rest. */
    public URI uri(String hostPort, String pathAndQuery) {
        return URI.create((ca == null ? "http" : "https") + "://" + hostPort + pathAndQuery);
    }

    /**
     * An HTTP client with the usual connect timeout: 2 s, or 5 s with TLS (a cold JVM's first TLS handshake
     * on a busy machine takes seconds, and the timeout covers it).
     */
    public HttpClient httpClient() {
        return httpClient(Duration.ofSeconds(ca == null ? 2 : 5));
    }

    /** An HTTP client that trusts the CA (and checks that a node's certificate names its host). */
    public HttpClient httpClient(Duration connectTimeout) {
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(connectTimeout);
        if (ca != null) b.sslContext(Tls.jdkTrusting(ca));
        return b.build();
    }

    /** Adds the token, if any, as {@code Authorization: Bearer}. */
    public HttpRequest.Builder authorize(HttpRequest.Builder request) {
        if (token != null) request.header("Authorization", "Bearer " + token);
        return request;
    }

    /** TLS for the binary protocol, or null. */
    SslContext nettyTls() {
        return ca == null ? null : Tls.trusting(ca);
    }

    @Override
    public String toString() {
        return "ClientSecurity[ca " + ca + ", token " + (token == null ? "none" : "set") + "]";
    }
}
