package dev.raftkv.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.raftkv.kv.KvLimits;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a new user sends the HTTP port, on raw sockets (issue #10.5): every failure of the decoder is a JSON
 * error with the status that names it, and the longest key is accepted however it is percent-encoded.
 * Before, a decoder failure reached the router as "/bad-request" (404), {@code %ZZ} was a 500, {@code %FF%FE}
 * and {@code %FE%FF} were the same key, a negative Content-Length stored an empty value, and 413 had no body.
 */
class EdgeHttpDecodingTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final KvLimits LIMITS = KvLimits.DEFAULT; // 4 KiB keys, 1 MiB values: the documented defaults

    @TempDir
    static Path dir;
    private static RaftkvNode node;

    @BeforeAll
    static void start() throws Exception {
        node = OneNodeCluster.start(dir, LIMITS);
    }

    @AfterAll
    static void stop() {
        if (node != null) node.close();
    }

    private static RawHttp connect() throws IOException {
        return new RawHttp(node.httpPort());
    }

    private static String put(String rawPath, String body) {
        return "PUT " + rawPath + " HTTP/1.1\r\nHost: x\r\nContent-Length: " + body.getBytes(StandardCharsets.UTF_8).length
                + "\r\n\r\n" + body;
    }

    private static String get(String rawPath) {
        return "GET " + rawPath + " HTTP/1.1\r\nHost: x\r\n\r\n";
    }

    private static String encodeEveryByte(String key) {
        StringBuilder b = new StringBuilder();
        for (byte x : key.getBytes(StandardCharsets.UTF_8)) b.append('%').append(String.format("%02X", x & 0xFF));
        return b.toString();
    }

    /** The answer is a JSON error {"error": code, "message": ...} with that status. */
    private static void assertJsonError(RawHttp.Answer a, int status, String code) throws IOException {
        assertThat(a.status()).as(a.text()).isEqualTo(status);
        assertThat(a.headers().get("content-type")).startsWith("application/json");
        JsonNode json = JSON.readTree(a.body());
        assertThat(json.path("error").asText()).as(a.text()).isEqualTo(code);
        assertThat(json.path("message").asText()).isNotBlank();
    }

    @Test
    void aKeyOfTheDocumentedMaximumIsStoredAndReadBack() throws Exception {
        String key = "k".repeat(LIMITS.maxKeyBytes());
        try (RawHttp http = connect()) {
            assertThat(http.send(put("/v1/kv/" + key, "max")).read().status()).isEqualTo(200);
            RawHttp.Answer got = http.send(get("/v1/kv/" + key)).read();
            assertThat(got.status()).isEqualTo(200);
            assertThat(got.text()).isEqualTo("max");
        }
    }

    @Test
    void aMaximumKeyOfTwoByteCharactersPercentEncodedIsAccepted() throws Exception {
        String key = "é".repeat(1500); // 3,000 UTF-8 bytes, 9,000 characters percent-encoded
        assertThat(key.getBytes(StandardCharsets.UTF_8)).hasSize(3000);
        String encoded = URLEncoder.encode(key, StandardCharsets.UTF_8);
        try (RawHttp http = connect()) {
            assertThat(http.send(put("/v1/kv/" + encoded, "accents")).read().status()).isEqualTo(200);
            assertThat(http.send(get("/v1/kv/" + encoded)).read().text()).isEqualTo("accents");
        }
        // the longest key, every byte encoded (three times its size), fits the request line too
        String longest = "z".repeat(LIMITS.maxKeyBytes());
        try (RawHttp http = connect()) {
            assertThat(http.send(put("/v1/kv/" + encodeEveryByte(longest), "all-encoded")).read().status()).isEqualTo(200);
            assertThat(http.send(get("/v1/kv/" + longest)).read().text()).isEqualTo("all-encoded");
        }
    }

    @Test
    void garbageIsA400WithAJsonBodyAndTheConnectionCloses() throws Exception {
        try (RawHttp http = connect()) {
            assertJsonError(http.send("GARBAGE\r\n\r\n").read(), 400, "bad_request");
            assertThat(http.closedByServer()).isTrue();
        }
    }

    @Test
    void aRequestLineLongerThanTheLongestKeyEncodedIs414() throws Exception {
        String tooLong = "%41".repeat(LIMITS.maxKeyBytes() + 400);
        try (RawHttp http = connect()) {
            assertJsonError(http.send(get("/v1/kv/" + tooLong)).read(), 414, "uri_too_long");
            assertThat(http.closedByServer()).isTrue();
        }
    }

    @Test
    void headersLargerThanTheLimitAre431() throws Exception {
        String big = "X-Padding: " + "p".repeat(EdgeLimits.DEFAULT_HTTP_MAX_HEADER_BYTES + 100) + "\r\n";
        try (RawHttp http = connect()) {
            assertJsonError(http.send("GET /v1/status HTTP/1.1\r\nHost: x\r\n" + big + "\r\n").read(), 431,
                    "headers_too_large");
        }
    }

    @Test
    void aBadPercentEscapeIs400NotAnInternalError() throws Exception {
        try (RawHttp http = connect()) {
            assertJsonError(http.send(put("/v1/kv/%ZZ", "x")).read(), 400, "bad_request");
            assertJsonError(http.send(get("/v1/kv/abc%4")).read(), 400, "bad_request");
            assertJsonError(http.send(get("/v1/kv/k?consistency=%G1")).read(), 400, "bad_request");
            // a refusal of the target does not break the connection
            assertThat(http.send(get("/v1/status")).read().status()).isEqualTo(200);
        }
    }

    @Test
    void keysThatAreNotUtf8AreRefusedSoThatDifferentBytesNeverNameOneKey() throws Exception {
        try (RawHttp http = connect()) {
            assertJsonError(http.send(put("/v1/kv/%FF%FE", "a")).read(), 400, "bad_request");
            assertJsonError(http.send(put("/v1/kv/%FE%FF", "b")).read(), 400, "bad_request");
            assertJsonError(http.send(put("/v1/kv/ok%C3", "c")).read(), 400, "bad_request"); // a cut sequence
            // what U+FFFD would have stored them as is still free
            assertJsonError(http.send(get("/v1/kv/%EF%BF%BD%EF%BF%BD")).read(), 404, "not_found");
        }
    }

    @Test
    void aNegativeContentLengthIs400AndStoresNothing() throws Exception {
        try (RawHttp http = connect()) {
            assertJsonError(http.send("PUT /v1/kv/negative HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n").read(),
                    400, "bad_request");
        }
        try (RawHttp http = connect()) {
            assertJsonError(http.send(get("/v1/kv/negative")).read(), 404, "not_found");
        }
    }

    @Test
    void aBodyOverTheLimitIs413WithAJsonBodyAndTheConnectionCarriesOn() throws Exception {
        byte[] big = new byte[2 * 1024 * 1024];
        java.util.Arrays.fill(big, (byte) 'v');
        try (RawHttp http = connect()) {
            http.send("PUT /v1/kv/big HTTP/1.1\r\nHost: x\r\nContent-Length: " + big.length + "\r\n\r\n");
            RawHttp.Answer refused = http.read(); // answered before the body: a client need not send it all
            assertJsonError(refused, 413, "too_large");
            http.send(big); // sent anyway, and dropped
            assertThat(http.send(get("/v1/status")).read().status()).isEqualTo(200);
        }
        try (RawHttp http = connect()) {
            assertJsonError(http.send(get("/v1/kv/big")).read(), 404, "not_found");
        }
    }

    @Test
    void aClientThatExpects100ContinueGetsItOrTheRefusalBeforeSendingItsBody() throws Exception {
        try (RawHttp http = connect()) {
            http.send("PUT /v1/kv/continued HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
            assertThat(http.read().status()).isEqualTo(100);
            assertThat(http.send("hello").read().status()).isEqualTo(200);
            assertThat(http.send(get("/v1/kv/continued")).read().text()).isEqualTo("hello");
        }
        try (RawHttp http = connect()) {
            http.send("PUT /v1/kv/never HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5000000\r\n\r\n");
            assertJsonError(http.read(), 413, "too_large");
            // the client will not send the body, so nothing after it could be told from it: the node closes
            assertThat(http.closedByServer()).isTrue();
        }
    }

    @Test
    void aChunkedBodyOverTheLimitIs413Too() throws Exception {
        int chunk = 256 * 1024;
        String chunkText = "c".repeat(chunk);
        try (RawHttp http = connect()) {
            http.send("PUT /v1/kv/chunked HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
            for (int i = 0; i < 6; i++) http.send(Integer.toHexString(chunk) + "\r\n" + chunkText + "\r\n");
            http.send("0\r\n\r\n");
            assertJsonError(http.read(), 413, "too_large");
            assertThat(http.send(get("/v1/status")).read().status()).isEqualTo(200);
        }
    }
}
