package dev.raftkv.node;

import dev.raftkv.kv.KvLimits;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The HTTP API of a one-node cluster on real files, including a restart with the same data directory. */
class SingleNodeHttpTest {

    @TempDir
    Path dir;
    private RaftkvNode node;
    private final LocalHttp http = new LocalHttp();

    @AfterEach
    void stop() {
        if (node != null) node.close();
    }

    private RaftkvNode start() throws Exception {
        return start(UnsafeControls.NONE);
    }

    private RaftkvNode start(UnsafeControls unsafe) throws Exception {
        NodeConfig cfg = new NodeConfig("n1", new InetSocketAddress("127.0.0.1", 0), new InetSocketAddress("127.0.0.1", 0),
                new InetSocketAddress("127.0.0.1", 0), Map.of("n1", new InetSocketAddress("127.0.0.1", 1)), Map.of(), Map.of(), dir, "cookie", 10, 10, 5,
                new KvLimits(64, 1024), Duration.ofSeconds(5));
        RaftkvNode n = RaftkvNode.start(cfg, OneNodeCluster.NO_PEERS, unsafe);
        await().atMost(Duration.ofSeconds(10)).until(() -> call("GET", n, "/v1/status", null).body().contains("\"leader\""
                ) && call("GET", n, "/v1/status", null).body().contains("\"role\":\"leader\""));
        return n;
    }

    private HttpResponse<String> call(String method, RaftkvNode n, String path, String body) throws Exception {
        return http.call(n.httpPort(), method, path, body);
    }

    @Test
    void putGetCasDeleteAndStatus() throws Exception {
        node = start();
        HttpResponse<String> put = call("PUT", node, "/v1/kv/greeting", "hello");
        assertThat(put.statusCode()).isEqualTo(200);
        assertThat(put.body()).matches("\\{\"index\":(\\d+),\"revision\":\\1}");
        assertThat(call("GET", node, "/v1/kv/greeting", null).body()).isEqualTo("hello");
        assertThat(call("GET", node, "/v1/kv/greeting?consistency=local", null).body()).isEqualTo("hello");
        assertThat(call("GET", node, "/v1/kv/greeting?consistency=lease", null).body()).isEqualTo("hello");
        assertThat(call("GET", node, "/v1/kv/missing", null).statusCode()).isEqualTo(404);

        HttpResponse<String> casFail = call("POST", node, "/v1/kv/greeting/cas", "{\"expect\":\"nope\",\"value\":\"x\"}");
        assertThat(casFail.statusCode()).isEqualTo(409);
        assertThat(casFail.body()).matches("\\{\"ok\":false,\"current\":\"hello\",\"revision\":\\d+}");
        assertThat(call("POST", node, "/v1/kv/greeting/cas", "{\"expect\":\"hello\",\"value\":\"hi\"}").body())
                .matches("\\{\"ok\":true,\"revision\":\\d+}");
        assertThat(call("GET", node, "/v1/kv/greeting", null).body()).isEqualTo("hi");

        assertThat(call("DELETE", node, "/v1/kv/greeting", null).body()).matches("\\{\"deleted\":true,\"revision\":\\d+}");
        assertThat(call("DELETE", node, "/v1/kv/greeting", null).body()).matches("\\{\"deleted\":false,\"revision\":\\d+}");

        String status = call("GET", node, "/v1/status", null).body();
        assertThat(status).contains("\"id\":\"n1\"", "\"role\":\"leader\"", "\"leader\":\"n1\"", "\"voter\":true");
    }

    @Test
    void badRequestsGetClearErrors() throws Exception {
        node = start();
        HttpResponse<String> big = call("PUT", node, "/v1/kv/k", "x".repeat(2000));
        assertThat(big.statusCode()).isEqualTo(413);
        assertThat(call("PUT", node, "/v1/kv/" + "k".repeat(65), "v").statusCode()).isEqualTo(413);
        HttpResponse<String> badCas = call("POST", node, "/v1/kv/k/cas", "not json");
        assertThat(badCas.statusCode()).isEqualTo(400);
        assertThat(badCas.body()).contains("\"error\":\"bad_request\"");
        assertThat(call("GET", node, "/v1/kv/k?consistency=eventual", null).statusCode()).isEqualTo(400);
        assertThat(call("GET", node, "/v2/nothing", null).statusCode()).isEqualTo(404);
    }

    @Test
    void theClockEndpointExistsOnlyWithTheUnsafeSwitch() throws Exception {
        node = start();
        assertThat(call("GET", node, "/v1/unsafe/clock", null).statusCode()).isEqualTo(404);
        assertThat(call("POST", node, "/v1/unsafe/clock", "{\"rate\":2}").statusCode()).isEqualTo(404);
        node.close();

        node = start(new UnsafeControls(java.util.Set.of(), false, 0, true));
        assertThat(call("GET", node, "/v1/unsafe/clock", null).body()).isEqualTo("{\"rate\":1.0}");
        HttpResponse<String> set = call("POST", node, "/v1/unsafe/clock", "{\"rate\":1.5}");
        assertThat(set.statusCode()).isEqualTo(200);
        assertThat(set.body()).isEqualTo("{\"rate\":1.5}");
        assertThat(call("POST", node, "/v1/unsafe/clock", "{\"rate\":0}").statusCode()).isEqualTo(400);
        assertThat(call("POST", node, "/v1/unsafe/clock", "fast").statusCode()).isEqualTo(400);
        assertThat(call("GET", node, "/v1/unsafe/clock", null).body()).isEqualTo("{\"rate\":1.5}");
        // with its clock skewed the node still elects itself, writes and reads
        assertThat(call("PUT", node, "/v1/kv/k", "v").statusCode()).isEqualTo(200);
        assertThat(call("GET", node, "/v1/kv/k?consistency=lease", null).body()).isEqualTo("v");
    }

    @Test
    void aRestartWithTheSameDataDirectoryKeepsEveryKey() throws Exception {
        node = start();
        for (int i = 0; i < 30; i++) assertThat(call("PUT", node, "/v1/kv/k" + i, "v" + i).statusCode()).isEqualTo(200);
        node.close();
        node = start();
        for (int i = 0; i < 30; i++) assertThat(call("GET", node, "/v1/kv/k" + i, null).body()).isEqualTo("v" + i);
    }
}
