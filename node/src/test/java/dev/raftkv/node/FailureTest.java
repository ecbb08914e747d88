package dev.raftkv.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.raftkv.client.ClientProtocol;
import dev.raftkv.client.ClientProtocol.Status;
import dev.raftkv.client.ClientRequest;
import dev.raftkv.client.ClientResponse;
import dev.raftkv.kv.KvLimits;
import dev.raftkv.raft.server.LearnerBehindException;
import dev.raftkv.raft.server.NoLeaderException;
import dev.raftkv.raft.server.NotAppliedException;
import dev.raftkv.raft.server.OutcomeUnknownException;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;

/** The one error mapping (#16.3) and how each protocol words it: every row here is an answer clients rely on. */
class FailureTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ClientRequest WRITE = ClientRequest.put(7, "c", 1, "k", new byte[]{1});
    private static final ClientRequest READ = ClientRequest.get(8, "k", ClientProtocol.Consistency.LINEARIZABLE);

    @Test
    void eachErrorTypeMapsToOneFailure() {
        assertThat(Failure.of(new KvLimits.Violation("big", true))).isEqualTo(new Failure.TooLarge("big"));
        assertThat(Failure.of(new KvLimits.Violation("bad", false))).isEqualTo(new Failure.Invalid("bad"));
        // a NoLeaderException is a NotAppliedException: the more precise type wins
        assertThat(Failure.of(new NoLeaderException(1, 3))).isInstanceOf(Failure.NoLeader.class);
        assertThat(Failure.of(new LearnerBehindException("behind", "n2"))).isEqualTo(new Failure.NotApplied("behind", "n2"));
        assertThat(Failure.of(new CompletionException(new OutcomeUnknownException("late"))))
                .isEqualTo(new Failure.OutcomeUnknown("late"));
        assertThat(Failure.of(new RequestException(409, "conflict", "taken"))).isEqualTo(new Failure.Refused(409, "conflict", "taken"));
        assertThat(Failure.of(new IllegalStateException("bug"))).isInstanceOf(Failure.Unexpected.class);
    }

    @Test
    void httpAnswersAStatusAndACode() throws Exception {
        assertHttp(new KvLimits.Violation("big", true), 413, "too_large", "big");
        assertHttp(new KvLimits.Violation("bad", false), 400, "bad_request", "bad");
        assertHttp(new NoLeaderException(0, 0), 503, "no_leader", new NoLeaderException(0, 0).getMessage());
        assertHttp(new NotAppliedException("not the leader", "n2"), 503, "not_applied", "not the leader; the leader is n2");
        assertHttp(new NotAppliedException("replaced", null), 503, "not_applied", "replaced");
        assertHttp(new OutcomeUnknownException("timed out"), 504, "outcome_unknown", "timed out");
        assertHttp(new RequestException(404, "not_found", "unknown member 'x'"), 404, "not_found", "unknown member 'x'");
        assertHttp(new IllegalStateException("bug"), 500, "internal", "java.lang.IllegalStateException: bug");
    }

    @Test
    void theBinaryProtocolAnswersAStatusAndNamesTheLeader() {
        assertBinary(WRITE, new KvLimits.Violation("big", true), Status.TOO_LARGE, "big");
        assertBinary(WRITE, new KvLimits.Violation("bad", false), Status.BAD_REQUEST, "bad");
        assertBinary(WRITE, new NoLeaderException(0, 0), Status.NOT_APPLIED, new NoLeaderException(0, 0).getMessage());
        assertBinary(WRITE, new NotAppliedException("replaced", null), Status.NOT_APPLIED, "replaced");
        // this node itself as the hint (it just stepped up): nobody else to send the client to
        assertBinary(WRITE, new NotAppliedException("not yet", "n1"), Status.NOT_APPLIED, "not yet");
        assertBinary(WRITE, new OutcomeUnknownException("timed out"), Status.OUTCOME_UNKNOWN, "timed out");
        // an unforeseen failure may have proposed a write, never a read
        assertBinary(WRITE, new IllegalStateException("bug"), Status.OUTCOME_UNKNOWN, "java.lang.IllegalStateException: bug");
        assertBinary(READ, new IllegalStateException("bug"), Status.NOT_APPLIED, "java.lang.IllegalStateException: bug");

        ClientResponse redirect = binary(WRITE, new NotAppliedException("not the leader", "n2"));
        assertThat(redirect.status()).isEqualTo(Status.NOT_LEADER);
        assertThat(redirect.leaderId()).isEqualTo("n2");
        assertThat(redirect.leaderClient()).isEqualTo("client-of-n2");
        assertThat(redirect.requestId()).isEqualTo(7);
    }

    private static void assertHttp(Throwable error, int status, String code, String message) throws Exception {
        HttpApi.Reply reply = HttpApi.errorReply(Failure.of(error));
        JsonNode body = JSON.readTree(reply.body());
        assertThat(reply.status()).as("status of %s", error).isEqualTo(status);
        assertThat(body.get("error").asText()).isEqualTo(code);
        assertThat(body.get("message").asText()).isEqualTo(message);
    }

    private static void assertBinary(ClientRequest r, Throwable error, Status status, String message) {
        ClientResponse response = binary(r, error);
        assertThat(response.status()).as("status of %s", error).isEqualTo(status);
        assertThat(response.message()).isEqualTo(message);
        assertThat(response.requestId()).isEqualTo(r.requestId());
    }

    private static ClientResponse binary(ClientRequest r, Throwable error) {
        return ClientServer.errorResponse(r, Failure.of(error), "n1", id -> "client-of-" + id);
    }
}
