package dev.raftkv.node;

import dev.raftkv.transport.FakeListener;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static dev.raftkv.node.SecureNodes.ADMIN_TOKEN;
import static dev.raftkv.node.SecureNodes.CLIENT_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Issue 11's hijack: anyone who reached the HTTP port could POST a member at an address of their own, the
 * leader dialed it and sent the cookie in its hello. Now the change needs the admin token, the leader takes
 * in only a node that proved the cookie in a handshake (and never sends it), and a node with the wrong
 * cookie never becomes a member.
 */
class MembershipHijackTest {
    private static final String COOKIE = "cookie-of-the-real-cluster";
    @TempDir
    Path dir;
    private final List<RaftkvNode> nodes = new ArrayList<>();

    @AfterEach
    void stop() {
        nodes.forEach(RaftkvNode::close);
    }

    private RaftkvNode keep(RaftkvNode n) {
        nodes.add(n);
        return n;
    }

    private static String evil(FakeListener fake) {
        return "{\"id\":\"evil\",\"raft\":\"127.0.0.1:" + fake.address().getPort() + "\",\"voter\":false}";
    }

    @Test
    void withoutTheAdminTokenNoMemberIsAddedAndNothingIsDialed() throws Exception {
        RaftkvNode n1 = keep(SecureNodes.bootstrap("n1", dir.resolve("n1"), COOKIE, SecureNodes.tokens()));
        long commit = n1.server().status().get().commitIndex();
        try (FakeListener fake = new FakeListener("evil", null, n1.clusterId())) {
            HttpResponse<String> anonymous = SecureNodes.call(n1, null, "POST", "/v1/members", evil(fake));
            assertThat(anonymous.statusCode()).isEqualTo(401);
            assertThat(anonymous.body()).contains("\"error\":\"unauthorized\"");
            HttpResponse<String> client = SecureNodes.call(n1, CLIENT_TOKEN, "POST", "/v1/members", evil(fake));
            assertThat(client.statusCode()).isEqualTo(403);
            assertThat(client.body()).contains("\"error\":\"forbidden\"");
            assertThat(SecureNodes.call(n1, "guess", "DELETE", "/v1/members/n1", null).statusCode()).isEqualTo(401);
            assertThat(SecureNodes.call(n1, CLIENT_TOKEN, "POST", "/v1/leader/transfer", "{\"to\":\"n1\"}").statusCode())
                    .isEqualTo(403);
        }
        // no CONFIG entry: nothing was proposed, and the membership is n1 alone
        assertThat(n1.server().status().get().commitIndex()).isEqualTo(commit);
        assertThat(n1.server().status().get().members().members()).containsExactly("n1");
        // reads and writes take the client token, and only a token
        assertThat(SecureNodes.call(n1, null, "PUT", "/v1/kv/k", "v").statusCode()).isEqualTo(401);
        assertThat(SecureNodes.call(n1, CLIENT_TOKEN, "PUT", "/v1/kv/k", "v").statusCode()).isEqualTo(200);
        assertThat(SecureNodes.call(n1, ADMIN_TOKEN, "GET", "/v1/kv/k", null).body()).isEqualTo("v");
    }

    @Test
    void aStrangerAddedWithTheAdminTokenIsDialedButLearnsNothingAndIsNotAdded() throws Exception {
        RaftkvNode n1 = keep(SecureNodes.bootstrap("n1", dir.resolve("n1"), COOKIE, SecureNodes.tokens()));
        long commit = n1.server().status().get().commitIndex();
        try (FakeListener fake = new FakeListener("evil", null, n1.clusterId())) {
            Thread answering = new Thread(() -> {
                try {
                    fake.answerOneHandshake();
                    fake.drainUntilClosed();
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            answering.start();
            HttpResponse<String> r = SecureNodes.call(n1, ADMIN_TOKEN, "POST", "/v1/members", evil(fake));
            answering.join(20_000);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(403);
            assertThat(r.body()).contains("\"error\":\"not_proven\"", "wrong cluster cookie");
            String capture = new String(fake.captured(), StandardCharsets.ISO_8859_1);
            assertThat(capture).isNotEmpty().doesNotContain(COOKIE)
                    .doesNotContain(HexFormat.of().formatHex(COOKIE.getBytes(StandardCharsets.UTF_8)));
        }
        assertThat(n1.server().status().get().commitIndex()).isEqualTo(commit);
        assertThat(n1.server().status().get().members().members()).containsExactly("n1");
        assertThat(SecureNodes.call(n1, CLIENT_TOKEN, "PUT", "/v1/kv/after", "still-serving").statusCode()).isEqualTo(200);
    }

    @Test
    void aJoinerWithTheWrongCookieIsNeverAMemberAndOneWithTheRightCookieJoins() throws Exception {
        RaftkvNode n1 = keep(SecureNodes.bootstrap("n1", dir.resolve("n1"), COOKIE, SecureNodes.tokens()));
        RaftkvNode wrong = keep(SecureNodes.join("n2", dir.resolve("n2"), "a-guessed-cookie", SecureNodes.tokens(), n1));
        assertThatThrownBy(() -> wrong.joined().get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasMessageContaining("not_proven").hasMessageContaining("wrong cluster cookie");
        assertThat(n1.server().status().get().members().members()).containsExactly("n1");

        RaftkvNode right = keep(SecureNodes.join("n3", dir.resolve("n3"), COOKIE, SecureNodes.tokens(), n1));
        right.joined().get(30, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(10)).until(() -> n1.server().status().get().members().isVoter("n3"));
        assertThat(n1.server().status().get().members().members()).containsExactly("n1", "n3");
        assertThat(right.clusterId()).isEqualTo(n1.clusterId());
    }
}
