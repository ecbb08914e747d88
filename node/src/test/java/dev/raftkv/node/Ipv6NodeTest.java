package dev.raftkv.node;

import dev.raftkv.client.KvClient;
import dev.raftkv.transport.Addresses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A node on the IPv6 loopback: it describes itself as {@code [::1]:PORT} (a bare {@code ::1:PORT} would not
 * parse back, and every peer and client reads these addresses), and clients reach it at those addresses.
 */
class Ipv6NodeTest {
    @TempDir
    Path dir;
    private RaftkvNode node;

    @AfterEach
    void stop() {
        if (node != null) node.close();
    }

    @Test
    void aNodeOnTheIpv6LoopbackNamesItselfInBracketsAndServesThere() throws Exception {
        node = OneNodeCluster.startOn(dir, "::1");
        String http = "[::1]:" + node.httpPort();
        HttpClient client = HttpClient.newHttpClient();
        HttpResponse<String> put = client.send(HttpRequest.newBuilder(URI.create("http://" + http + "/v1/kv/k"))
                .PUT(HttpRequest.BodyPublishers.ofString("v6")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
        String status = client.send(HttpRequest.newBuilder(URI.create("http://" + http + "/v1/status")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        // the node names itself by its address, bracketed: it parses back to the IPv6 loopback and the ports it serves
        com.fasterxml.jackson.databind.JsonNode self = new com.fasterxml.jackson.databind.ObjectMapper().readTree(status)
                .path("members").get(0);
        InetSocketAddress named = NodeConfig.parseAddress(self.path("http").asText());
        assertThat(self.path("http").asText()).startsWith("[");
        assertThat(named.getAddress().isLoopbackAddress() && named.getAddress() instanceof java.net.Inet6Address).isTrue();
        assertThat(named.getPort()).isEqualTo(node.httpPort());
        assertThat(NodeConfig.parseAddress(self.path("client").asText()).getPort()).isEqualTo(node.clientPort());

        try (KvClient kv = new KvClient(List.of(Addresses.parse("[::1]:" + node.clientPort())))) {
            assertThat(kv.get("k").get(10, TimeUnit.SECONDS)).isEqualTo("v6".getBytes(StandardCharsets.UTF_8));
        }
    }

    @Test
    void addressesRoundTripWithBracketsForIpv6AndWithoutForNames() {
        assertThat(Addresses.format("::1", 7001)).isEqualTo("[::1]:7001");
        assertThat(Addresses.format("127.0.0.1", 7001)).isEqualTo("127.0.0.1:7001");
        InetSocketAddress parsed = NodeConfig.parseAddress("[::1]:7001");
        assertThat(parsed.getAddress().isLoopbackAddress()).isTrue();
        assertThat(NodeConfig.parseAddress(Addresses.format(parsed))).isEqualTo(parsed);
        assertThat(new MemberEndpoint("[::1]:7001", "[::1]:9001", "[::1]:8001").format())
                .isEqualTo("raft=[::1]:7001 client=[::1]:9001 http=[::1]:8001");
        assertThat(MemberEndpoint.parse("raft=[::1]:7001 http=[::1]:8001").http()).isEqualTo("[::1]:8001");
    }
}
