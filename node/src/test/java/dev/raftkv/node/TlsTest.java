package dev.raftkv.node;

import dev.raftkv.cli.CertificateAuthority;
import dev.raftkv.client.ClientSecurity;
import dev.raftkv.client.KvClient;
import dev.raftkv.raft.Message;
import dev.raftkv.raft.server.SnapshotWriter;
import dev.raftkv.transport.InboundSink;
import dev.raftkv.transport.NettyTransport;
import dev.raftkv.transport.PeerSecurity;
import dev.raftkv.transport.Tls;
import dev.raftkv.transport.TransportOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * TLS on every port: the Raft port refuses a peer whose certificate another CA signed, an expired
 * certificate and a peer that speaks plain text; the HTTP and client ports refuse a client that does not
 * trust the cluster's CA, and serve one that does.
 */
class TlsTest {
    private static final String COOKIE = "tls-cookie";
    private static final InetSocketAddress ANY = new InetSocketAddress("127.0.0.1", 0);
    private static final List<String> LOCAL = List.of("127.0.0.1", "localhost");

    @TempDir
    Path dir;
    private CertificateAuthority cluster;
    private CertificateAuthority other;
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final ConcurrentLinkedQueue<Message> delivered = new ConcurrentLinkedQueue<>();
    private final AtomicLong seq = new AtomicLong();

    @BeforeEach
    void authorities() throws IOException {
        cluster = CertificateAuthority.create("cluster CA", Duration.ofDays(1), dir.resolve("ca.pem"), dir.resolve("ca-key.pem"));
        other = CertificateAuthority.create("another CA", Duration.ofDays(1), dir.resolve("other.pem"), dir.resolve("other-key.pem"));
    }

    @AfterEach
    void close() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) toClose.get(i).close();
    }

    private final InboundSink sink = new InboundSink() {
        @Override
        public void receive(Message message) {
            delivered.add(message);
        }

        @Override
        public SnapshotWriter snapshotWriter(Message.InstallSnapshot message) throws IOException {
            throw new IOException("no snapshots here");
        }

        @Override
        public void receiveSnapshot(Message.InstallSnapshot message, SnapshotWriter received) {
        }
    };

    private NettyTransport transport(String id, Map<String, InetSocketAddress> peers, Tls.NodeFiles tls) {
        NettyTransport t = NettyTransport.start(id, ANY, peers, new PeerSecurity(COOKIE, () -> "c", tls), sink,
                TransportOptions.defaults());
        toClose.add(t);
        return t;
    }

    private Tls.NodeFiles issue(CertificateAuthority ca, String name) throws IOException {
        return ca.issue(name, LOCAL, Duration.ofDays(1), dir);
    }

    /** Whether a message from {@code a} reaches b within a few seconds of sending. */
    private boolean getsThrough(NettyTransport a, String to) {
        long mine = seq.incrementAndGet() * 1000;
        try {
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20)).until(() -> {
                a.send(new Message.Heartbeat(a.selfId(), to, 1, 0, mine));
                return delivered.stream().anyMatch(m -> m instanceof Message.Heartbeat h && h.readSeq() == mine);
            });
            return true;
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            return false;
        }
    }

    @Test
    void theRaftPortIsMutualTlsAndRefusesOtherCasExpiredCertificatesAndPlainText() throws Exception {
        Map<String, InetSocketAddress> known = Map.of("a", ANY, "m", ANY, "e", ANY, "p", ANY);
        NettyTransport b = transport("b", known, issue(cluster, "b"));
        Map<String, InetSocketAddress> toB = Map.of("b", b.boundAddress());

        assertThat(getsThrough(transport("a", toB, issue(cluster, "a")), "b")).as("a certificate of the cluster's CA").isTrue();

        Tls.NodeFiles foreign = other.issue("m", LOCAL, Duration.ofDays(1), dir);
        // a peer with another CA's certificate (and which trusts the cluster's CA, so only b can refuse it)
        assertThat(getsThrough(transport("m", toB, new Tls.NodeFiles(foreign.cert(), foreign.key(), cluster.certFile())), "b"))
                .isFalse();
        long refused = b.refusedHandshakes();
        assertThat(refused).isPositive();

        Tls.NodeFiles expired = cluster.issue("e", LOCAL, Instant.now().minus(Duration.ofDays(3)),
                Instant.now().minus(Duration.ofDays(1)), dir);
        assertThat(getsThrough(transport("e", toB, expired), "b")).isFalse();
        assertThat(b.refusedHandshakes()).isGreaterThan(refused);
        refused = b.refusedHandshakes();

        assertThat(getsThrough(transport("p", toB, null), "b")).as("plain text").isFalse();
        assertThat(b.refusedHandshakes()).isGreaterThan(refused);
        assertThat(delivered).allMatch(m -> m.from().equals("a"));

        // and the dialing side refuses a node whose certificate it does not trust, with the reason
        NettyTransport a2 = transport("a", Map.of(), issue(cluster, "a2"));
        NettyTransport impostor = transport("b", Map.of("a", ANY), new Tls.NodeFiles(other.issue("b2", LOCAL,
                Duration.ofDays(1), dir).cert(), dir.resolve("b2-key.pem"), cluster.certFile()));
        assertThatThrownBy(() -> a2.prove("b", impostor.boundAddress()).get(10, TimeUnit.SECONDS))
                .cause().isInstanceOf(dev.raftkv.transport.HandshakeFailedException.class).hasMessageContaining("TLS");
    }

    @Test
    void theHttpAndClientPortsServeOnlyClientsThatTrustTheClustersCa() throws Exception {
        Tls.NodeFiles n1Files = issue(cluster, "n1");
        RaftkvNode n1 = SecureNodes.bootstrap("n1", dir.resolve("n1"), COOKIE, SecureNodes.tokens().withTls(n1Files));
        toClose.add(n1);
        ClientSecurity trusting = new ClientSecurity(cluster.certFile(), SecureNodes.CLIENT_TOKEN);
        ClientSecurity wrongCa = new ClientSecurity(other.certFile(), SecureNodes.CLIENT_TOKEN);
        String http = "127.0.0.1:" + n1.httpPort();

        HttpResponse<String> ok = trusting.httpClient(Duration.ofSeconds(2)).send(trusting.authorize(HttpRequest.newBuilder(
                trusting.uri(http, "/v1/kv/k"))).PUT(HttpRequest.BodyPublishers.ofString("v")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThatThrownBy(() -> wrongCa.httpClient(Duration.ofSeconds(2)).send(wrongCa.authorize(HttpRequest.newBuilder(
                wrongCa.uri(http, "/v1/kv/k"))).GET().build(), HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(javax.net.ssl.SSLHandshakeException.class);
        assertThatThrownBy(() -> SecureNodes.call(n1, SecureNodes.CLIENT_TOKEN, "GET", "/v1/kv/k", null))
                .as("plain HTTP to the TLS port").isInstanceOf(IOException.class);

        List<InetSocketAddress> at = List.of(new InetSocketAddress("127.0.0.1", n1.clientPort()));
        KvClient.Options quick = KvClient.Options.DEFAULT.withTimeout(Duration.ofSeconds(2));
        try (KvClient good = new KvClient(at, quick, trusting); KvClient bad = new KvClient(at, quick, wrongCa);
             KvClient plain = new KvClient(at, quick, new ClientSecurity(null, SecureNodes.CLIENT_TOKEN))) {
            assertThat(good.get("k").get(10, TimeUnit.SECONDS)).isEqualTo("v".getBytes(StandardCharsets.UTF_8));
            assertThatThrownBy(() -> bad.get("k").get(10, TimeUnit.SECONDS)).hasMessageContaining("TLS handshake");
            assertThatThrownBy(() -> plain.get("k").get(10, TimeUnit.SECONDS)).isInstanceOf(java.util.concurrent.ExecutionException.class);
        }
    }
}
