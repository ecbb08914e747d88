package dev.raftkv.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.raftkv.kv.KvLimits;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Ranges, delete-ranges, transactions and a key's revisions over HTTP, on either store. */
class RangeTxnHttpTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private RaftkvNode node;
    private final LocalHttp http = new LocalHttp();

    @AfterEach
    void stop() {
        if (node != null) node.close();
    }

    private HttpResponse<String> call(String method, String path, String body) throws Exception {
        return http.call(node.httpPort(), method, path, body);
    }

    private JsonNode json(String method, String path, String body, int status) throws Exception {
        HttpResponse<String> r = call(method, path, body);
        assertThat(r.statusCode()).as("%s %s: %s", method, path, r.body()).isEqualTo(status);
        return JSON.readTree(r.body());
    }

    private static String q(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @EnumSource(StoreKind.class)
    void scansPageThroughAPrefixInKeyOrderAndCount(StoreKind store) throws Exception {
        node = OneNodeCluster.start(dir, KvLimits.DEFAULT, ClientServer.DEFAULT_MAX_IN_FLIGHT, store);
        for (String k : List.of("app/b", "app/a", "app/c/1", "apple", "b")) assertThat(call("PUT", "/v1/kv/" + q(k), "v-" + k).statusCode()).isEqualTo(200);

        List<String> keys = new ArrayList<>();
        String start = null;
        for (int pages = 0; pages < 5; pages++) {
            JsonNode page = json("GET", "/v1/kv?prefix=app/&limit=2" + (start == null ? "" : "&start=" + q(start)), null, 200);
            page.get("kvs").forEach(kv -> keys.add(kv.get("key").asText()));
            assertThat(page.get("revision").asLong()).isPositive();
            if (!page.get("more").asBoolean()) break;
            start = page.get("next").asText();
        }
        assertThat(keys).containsExactly("app/a", "app/b", "app/c/1");

        JsonNode all = json("GET", "/v1/kv", null, 200);
        assertThat(all.get("kvs")).extracting(kv -> kv.get("key").asText()).containsExactly("app/a", "app/b", "app/c/1", "apple", "b");
        assertThat(all.get("kvs").get(0).get("value").asText()).isEqualTo("v-app/a");
        assertThat(all.get("kvs").get(0).get("version").asLong()).isEqualTo(1);
        assertThat(json("GET", "/v1/kv?start=app/b&end=apple&keysOnly=true", null, 200).get("kvs"))
                .extracting(kv -> kv.get("key").asText() + ":" + kv.has("value")).containsExactly("app/b:false", "app/c/1:false");
        assertThat(json("GET", "/v1/kv?prefix=app&count=true&consistency=lease", null, 200).get("count").asLong()).isEqualTo(4);

        JsonNode deleted = json("DELETE", "/v1/kv?prefix=app/", null, 200);
        assertThat(deleted.get("deleted").asLong()).isEqualTo(3);
        assertThat(json("GET", "/v1/kv?count=true", null, 200).get("count").asLong()).isEqualTo(2);
    }

    @ParameterizedTest
    @EnumSource(StoreKind.class)
    void aTransactionMovesAnAmountAtomicallyOrReportsWhyNot(StoreKind store) throws Exception {
        node = OneNodeCluster.start(dir, KvLimits.DEFAULT, ClientServer.DEFAULT_MAX_IN_FLIGHT, store);
        call("PUT", "/v1/kv/acct/a", "10");
        long created = json("GET", "/v1/kv/acct/a?meta=true", null, 200).get("modRevision").asLong();
        call("PUT", "/v1/kv/acct/b", "5");
        String transfer = """
                {"compare":[{"key":"acct/a","target":"modRevision","op":"=","number":%d},{"key":"acct/c","target":"exists","value":false}],
                 "success":[{"put":{"key":"acct/a","value":"7"}},{"put":{"key":"acct/b","value":"8"}},{"range":{"prefix":"acct/"}}],
                 "failure":[{"get":{"key":"acct/a"}}]}""".formatted(created);
        JsonNode done = json("POST", "/v1/txn", transfer, 200);
        assertThat(done.get("succeeded").asBoolean()).isTrue();
        long revision = done.get("revision").asLong();
        assertThat(done.get("results").get(0).get("put").get("revision").asLong()).isEqualTo(revision);
        assertThat(done.get("results").get(2).get("range").get("kvs")).extracting(kv -> kv.get("value").asText()).containsExactly("7", "8");

        JsonNode again = json("POST", "/v1/txn", transfer, 200);
        assertThat(again.get("succeeded").asBoolean()).isFalse();
        assertThat(again.get("results").get(0).get("get").get("value").asText()).isEqualTo("7");

        HttpResponse<String> get = call("GET", "/v1/kv/acct/b", null);
        assertThat(get.body()).isEqualTo("8");
        assertThat(get.headers().firstValue("X-Raftkv-Mod-Revision")).hasValue(Long.toString(revision));
        assertThat(get.headers().firstValue("X-Raftkv-Version")).hasValue("2");
        JsonNode meta = json("GET", "/v1/kv/acct/b?meta=true", null, 200);
        assertThat(meta.get("version").asLong()).isEqualTo(2);
        assertThat(meta.get("modRevision").asLong()).isEqualTo(revision);
        assertThat(meta.get("createRevision").asLong()).isLessThan(revision);
    }

    @ParameterizedTest
    @EnumSource(value = StoreKind.class, names = "MEMORY")
    void badRangesAndTransactionsAreRefusedWithWhatIsWrong(StoreKind store) throws Exception {
        node = OneNodeCluster.start(dir, KvLimits.DEFAULT, ClientServer.DEFAULT_MAX_IN_FLIGHT, store);
        assertThat(json("DELETE", "/v1/kv", null, 400).get("message").asText()).contains("prefix=");
        assertThat(json("GET", "/v1/kv?limit=0", null, 400).get("message").asText()).contains("1 to 1000");
        assertThat(json("GET", "/v1/kv?limit=x", null, 400).get("message").asText()).contains("whole number");
        assertThat(json("GET", "/v1/kv?prefix=a&start=b", null, 400).get("message").asText()).contains("does not begin with");
        assertThat(json("GET", "/v1/kv?prefix=a&end=b", null, 400).get("message").asText()).contains("not both");
        assertThat(json("POST", "/v1/txn", "not json", 400).get("message").asText()).contains("compare");
        assertThat(json("POST", "/v1/txn", "{\"succes\":[]}", 400).get("message").asText()).contains("unknown field \"succes\"");
        assertThat(json("POST", "/v1/txn", "{\"success\":[{\"upsert\":{}}]}", 400).get("message").asText()).contains("unknown operation");
        assertThat(json("POST", "/v1/txn", "{\"compare\":[{\"key\":\"k\",\"op\":\"~\",\"value\":\"v\"}]}", 400).get("message").asText()).contains("=, !=, <, >");
        assertThat(json("POST", "/v1/txn", "{\"compare\":[{\"key\":\"k\",\"target\":\"version\",\"number\":\"1\"}]}", 400).get("message").asText()).contains("whole number");
        StringBuilder many = new StringBuilder("{\"success\":[");
        for (int i = 0; i <= KvLimits.MAX_TXN_OPS; i++) many.append(i == 0 ? "" : ",").append("{\"get\":{\"key\":\"k\"}}");
        assertThat(json("POST", "/v1/txn", many + "]}", 413).get("message").asText()).contains("limit is 128");
        assertThat(call("GET", "/v1/txn", null).statusCode()).isEqualTo(405);
        assertThat(call("PUT", "/v1/kv", "x").statusCode()).isEqualTo(405);
    }
}
