package dev.raftkv.raft.snapshot;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FlatJsonTest {
    @Test
    void roundTripsNumbersStringsAndStringArraysIncludingEscapes() {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("index", Long.MAX_VALUE);
        fields.put("neg", -3L);
        fields.put("name", "a \"quoted\" back\\slash\nnew line\ttab \u0001 ü");
        fields.put("voters", List.of("n1", "n\"2", ""));
        fields.put("empty", List.of());
        assertThat(FlatJson.read(FlatJson.write(fields))).isEqualTo(fields);
    }

    @Test
    void readsWhatOtherWritersProduce() {
        assertThat(FlatJson.read(" {\n  \"a\" : 1 ,\n  \"b\" : [ \"x\" , \"\\u00fc\\/\" ]\n}\n"))
                .isEqualTo(Map.of("a", 1L, "b", List.of("x", "ü/")));
        assertThat(FlatJson.read("{}")).isEmpty();
    }

    @Test
    void refusesWhatItCannotRead() {
        for (String bad : List.of("", "{", "{\"a\":1", "{\"a\":1,}", "{\"a\":1.5}", "{\"a\":true}", "{\"a\":{}}",
                "{\"a\":[1]}", "{\"a\":1}x", "{\"a\":1,\"a\":2}", "{\"a\":\"\\q\"}", "{\"a\":\"\\u12\"}", "{a:1}", "[]")) {
            assertThatThrownBy(() -> FlatJson.read(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
