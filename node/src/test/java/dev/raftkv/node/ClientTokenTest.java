package dev.raftkv.node;

import dev.raftkv.client.ClientSecurity;
import dev.raftkv.client.KvClient;
import dev.raftkv.client.UnauthorizedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The binary client port with tokens: AUTH first with a token the node knows, or nothing is served. */
class ClientTokenTest {
    @TempDir
    Path dir;

    @Test
    void aClientWithoutTheTokenIsRefusedAndOneWithItIsServed() throws Exception {
        RaftkvNode n1 = SecureNodes.bootstrap("n1", dir, "cookie", SecureNodes.tokens());
        try {
            List<InetSocketAddress> at = List.of(new InetSocketAddress("127.0.0.1", n1.clientPort()));
            try (KvClient anonymous = new KvClient(at); KvClient guesser = new KvClient(at, KvClient.Options.DEFAULT,
                    new ClientSecurity(null, "not-a-token"))) {
                assertThatThrownBy(() -> anonymous.put("k", new byte[1]).get(10, TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class).cause().isInstanceOf(UnauthorizedException.class);
                assertThatThrownBy(() -> guesser.get("k").get(10, TimeUnit.SECONDS))
                        .cause().isInstanceOf(UnauthorizedException.class).hasMessageContaining("unknown token");
            }
            try (KvClient client = new KvClient(at, KvClient.Options.DEFAULT, new ClientSecurity(null, SecureNodes.CLIENT_TOKEN))) {
                client.put("k", "v".getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);
                assertThat(client.get("k").get(10, TimeUnit.SECONDS)).isEqualTo("v".getBytes(StandardCharsets.UTF_8));
            }
        } finally {
            n1.close();
        }
    }
}
