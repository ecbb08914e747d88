package dev.raftkv.node;

import io.netty.handler.codec.http.HttpMethod;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * A follower that forwards to the leader must not call a write "not applied" once the leader may have
 * received it: only a connection that was never made proves that. The exceptions are the JDK's own.
 */
class ForwardFailureTest {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private Throwable failureOf(int port) {
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/kv/k"))
                .timeout(Duration.ofSeconds(5)).PUT(HttpRequest.BodyPublishers.ofString("v")).build();
        Throwable t = catchThrowable(() -> http.sendAsync(req, HttpResponse.BodyHandlers.ofByteArray()).join());
        return t instanceof CompletionException c ? c.getCause() : t;
    }

    @Test
    void aLeaderThatTookTheRequestAndVanishedLeavesTheWriteUnknown() throws Exception {
        try (ServerSocket leader = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            Thread t = new Thread(() -> {
                try (Socket s = leader.accept()) {
                    s.getInputStream().read(new byte[256]); // the request arrived; then the leader dies
                } catch (IOException ignored) {
                }
            });
            t.start();
            Throwable e = failureOf(leader.getLocalPort());
            t.join();
            assertThat(HttpApi.forwardFailed(HttpMethod.PUT, "n1", "x", e).status()).isEqualTo(504);
            assertThat(HttpApi.forwardFailed(HttpMethod.POST, "n1", "x", e).status()).isEqualTo(504);
            assertThat(HttpApi.forwardFailed(HttpMethod.DELETE, "n1", "x", e).status()).isEqualTo(504);
            assertThat(HttpApi.forwardFailed(HttpMethod.GET, "n1", "x", e).status()).as("a read changes nothing").isEqualTo(503);
        }
    }

    @Test
    void aLeaderThatCouldNotBeReachedDidNotApplyIt() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        Throwable e = failureOf(closed);
        assertThat(e).isInstanceOf(java.net.ConnectException.class);
        assertThat(HttpApi.forwardFailed(HttpMethod.PUT, "n1", "x", e).status()).isEqualTo(503);
    }
}
