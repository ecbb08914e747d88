package dev.raftkv.cli;

import java.io.IOException;
import java.net.ConnectException;
import dev.raftkv.client.ClientSecurity;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/**
 * Talks HTTP to any member that answers: the members forward writes and reads to the leader. Over TLS and
 * with a token when {@code security} says so.
 */
final class HttpCluster {
    private final List<String> addresses;
    private final ClientSecurity security;
    private final HttpClient client;

    HttpCluster(List<String> addresses, ClientSecurity security) {
        if (addresses.isEmpty()) throw new IllegalArgumentException("no cluster addresses given (--cluster HOST:PORT,...)");
        this.addresses = List.copyOf(addresses);
        this.security = security;
        this.client = security.httpClient();
    }

    /** Sends to the first member that accepts the connection. */
    HttpResponse<byte[]> send(String method, String path, byte[] body) throws IOException, InterruptedException {
        IOException last = null;
        for (String address : addresses) {
            try {
                return sendTo(address, method, path, body);
            } catch (ConnectException | HttpConnectTimeoutException e) {
                last = e;
            }
        }
        throw new UnreachableException(addresses, last);
    }

    HttpResponse<byte[]> sendTo(String address, String method, String path, byte[] body) throws IOException, InterruptedException {
        HttpRequest req = security.authorize(HttpRequest.newBuilder(security.uri(address, path)))
                .timeout(Duration.ofSeconds(15))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        return client.send(req, HttpResponse.BodyHandlers.ofByteArray());
    }
}
