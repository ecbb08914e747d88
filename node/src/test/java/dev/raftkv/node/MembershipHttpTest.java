package dev.raftkv.node;

import dev.raftkv.kv.KvLimits;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The membership HTTP API's answers on a one-node cluster: what is a no-op, what is refused and with
 * which status. (Members that really join are in test-cluster's MembershipProcessTest.)
 */
class MembershipHttpTest {
    @TempDir
    Path dir;
    private RaftkvNode node;
    private final LocalHttp http = new LocalHttp();

    @BeforeEach
    void start() throws Exception {
        node = OneNodeCluster.start(dir, KvLimits.DEFAULT);
    }

    @AfterEach
    void stop() {
        if (node != null) node.close();
    }

    private HttpResponse<String> call(String method, String path, String body) throws Exception {
        return http.call(node.httpPort(), method, path, body);
    }

    @Test
    void addingTheSameLearnerTwiceIsANoOpButAnotherAddressIsAConflict() throws Exception {
        String learner = "{\"id\":\"n2\",\"raft\":\"127.0.0.1:7002\",\"http\":\"127.0.0.1:8002\",\"voter\":false}";
        HttpResponse<String> first = call("POST", "/v1/members", learner);
        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        assertThat(first.body()).contains("\"voter\":false").doesNotContain("\"index\":0");

        HttpResponse<String> again = call("POST", "/v1/members", learner);
        assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
        assertThat(again.body()).contains("\"index\":0"); // nothing was proposed

        HttpResponse<String> moved = call("POST", "/v1/members",
                "{\"id\":\"n2\",\"raft\":\"127.0.0.1:7999\",\"voter\":false}");
        assertThat(moved.statusCode()).as(moved.body()).isEqualTo(409);

        HttpResponse<String> list = call("GET", "/v1/members", null);
        assertThat(list.body()).contains("\"id\":\"n2\"", "\"raft\":\"127.0.0.1:7002\"", "\"role\":\"learner\"");
        assertThat(call("GET", "/v1/status", null).body()).contains("\"http\":\"127.0.0.1:8002\"");

        // the same Raft address with other HTTP and client addresses: they replace those the membership holds
        HttpResponse<String> served = call("POST", "/v1/members",
                "{\"id\":\"n2\",\"raft\":\"127.0.0.1:7002\",\"http\":\"127.0.0.1:8992\",\"client\":\"127.0.0.1:9992\",\"voter\":false}");
        assertThat(served.statusCode()).as(served.body()).isEqualTo(200);
        assertThat(served.body()).doesNotContain("\"index\":0");
        assertThat(call("GET", "/v1/members", null).body())
                .contains("\"http\":\"127.0.0.1:8992\"", "\"client\":\"127.0.0.1:9992\"", "\"role\":\"learner\"")
                .doesNotContain("127.0.0.1:8002");
    }

    @Test
    void aLearnerThatNeverAnswersIsNotPromoted() throws Exception {
        // nothing reaches n2 (this node's transport drops everything): it cannot have caught up
        HttpResponse<String> r = call("POST", "/v1/members", "{\"id\":\"n2\",\"raft\":\"127.0.0.1:7002\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        assertThat(r.body()).contains("catching up");
        assertThat(call("GET", "/v1/members", null).body()).contains("\"role\":\"learner\"");
    }

    @Test
    void badRequestsAreRefusedWithTheirStatus() throws Exception {
        assertThat(call("POST", "/v1/members", "not json").statusCode()).isEqualTo(400);
        assertThat(call("POST", "/v1/members", "{\"id\":\"n 2\",\"raft\":\"127.0.0.1:7002\"}").statusCode()).isEqualTo(400);
        assertThat(call("POST", "/v1/members", "{\"id\":\"n2\",\"raft\":\"nowhere\"}").statusCode()).isEqualTo(400);
        assertThat(call("DELETE", "/v1/members/n9", null).statusCode()).isEqualTo(404);
        assertThat(call("DELETE", "/v1/members/n1", null).statusCode()).as("the last voter").isEqualTo(409);
        assertThat(call("POST", "/v1/leader/transfer", "{\"to\":\"n9\"}").statusCode()).isEqualTo(404);
        call("POST", "/v1/members", "{\"id\":\"n2\",\"raft\":\"127.0.0.1:7002\",\"voter\":false}");
        assertThat(call("POST", "/v1/leader/transfer", "{\"to\":\"n2\"}").statusCode()).as("a learner").isEqualTo(409);
        assertThat(call("POST", "/v1/leader/transfer", "{\"to\":\"n1\"}").body()).contains("\"leader\":\"n1\"");
    }
}
