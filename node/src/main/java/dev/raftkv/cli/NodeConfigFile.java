package dev.raftkv.cli;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.raftkv.node.NodeConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * {@code raftkv node --config FILE}: the node's settings as one JSON object whose field names are the
 * flags' names without the leading dashes ({@code "data-dir"}, {@code "tick-ms"}, ...). The member maps
 * ({@code peers}, {@code peer-http}, {@code peer-client}) are objects from id to {@code "HOST:PORT"}.
 * Every field may be left out; a flag given on the command line wins over the file. An unknown field, a
 * value of the wrong type or out of range is an error naming the field and the file.
 */
record NodeConfigFile(
        @JsonProperty("id") String id,
        @JsonProperty("raft") String raft,
        @JsonProperty("client") String client,
        @JsonProperty("http") String http,
        @JsonProperty("peers") Map<String, String> peers,
        @JsonProperty("bootstrap") Boolean bootstrap,
        @JsonProperty("join") List<String> join,
        @JsonProperty("peer-http") Map<String, String> peerHttp,
        @JsonProperty("peer-client") Map<String, String> peerClient,
        @JsonProperty("data-dir") String dataDir,
        @JsonProperty("cookie") String cookie,
        @JsonProperty("tick-ms") Long tickMillis,
        @JsonProperty("election-ticks") Integer electionTicks,
        @JsonProperty("snapshot-every") Long snapshotEvery,
        @JsonProperty("snapshot-every-bytes") Long snapshotEveryBytes,
        @JsonProperty("store") String store,
        @JsonProperty("max-key-bytes") Integer maxKeyBytes,
        @JsonProperty("max-value-bytes") Integer maxValueBytes,
        @JsonProperty("request-timeout-ms") Long requestTimeoutMillis,
        @JsonProperty("client-max-in-flight") Integer clientMaxInFlight,
        @JsonProperty("cluster-id") String clusterId,
        @JsonProperty("tls-cert") String tlsCert,
        @JsonProperty("tls-key") String tlsKey,
        @JsonProperty("tls-ca") String tlsCa,
        @JsonProperty("client-token") String clientToken,
        @JsonProperty("admin-token") String adminToken,
        @JsonProperty("http-max-connections") Integer httpMaxConnections,
        @JsonProperty("http-max-header-bytes") Integer httpMaxHeaderBytes,
        @JsonProperty("http-read-timeout-ms") Long httpReadTimeoutMillis,
        @JsonProperty("http-idle-timeout-ms") Long httpIdleTimeoutMillis,
        @JsonProperty("client-max-connections") Integer clientMaxConnections,
        @JsonProperty("client-max-in-flight-bytes") Long clientMaxInFlightBytes,
        @JsonProperty("max-in-flight-bytes") Long maxInFlightBytes,
        @JsonProperty("max-in-flight-requests") Integer maxInFlightRequests) {

    /** Strict: no strings for numbers, no fractions for integers, no duplicate or unknown fields, nothing after the object. */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .withCoercionConfig(LogicalType.Textual, c -> c
                    .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
            .build();

    /** @throws IllegalArgumentException saying what is wrong, with the file and the field */
    static NodeConfigFile read(Path file) {
        NodeConfigFile parsed;
        try {
            parsed = JSON.readValue(Files.readAllBytes(file), NodeConfigFile.class);
        } catch (UnrecognizedPropertyException e) {
            throw new IllegalArgumentException("config file " + file + ": unknown field \"" + e.getPropertyName()
                    + "\"; known fields: " + e.getKnownPropertyIds().stream().map(String::valueOf).sorted()
                    .collect(Collectors.joining(", ")));
        } catch (MismatchedInputException e) {
            String expected = e.getTargetType() == null ? "another kind of value" : describe(e.getTargetType());
            throw new IllegalArgumentException("config file " + file + ": field \"" + path(e) + "\" must be " + expected);
        } catch (JsonMappingException e) {
            throw new IllegalArgumentException("config file " + file + ": field \"" + path(e) + "\": " + e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("config file " + file + " is not valid JSON ("
                    + (e.getLocation() == null ? "" : "line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr() + ": ") + e.getOriginalMessage() + ")");
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("config file " + file + " does not exist");
        } catch (IOException e) {
            throw new IllegalArgumentException("config file " + file + " cannot be read: " + e.getMessage());
        }
        if (parsed == null) throw new IllegalArgumentException("config file " + file + " holds null, not an object");
        parsed.check(file);
        return parsed;
    }

    /** Fills every setting of {@code cmd} that the file has and the command line did not give. */
    void applyTo(NodeCommand cmd, Predicate<String> givenOnCommandLine) {
        if (id != null && !givenOnCommandLine.test("--id")) cmd.id = id;
        if (raft != null && !givenOnCommandLine.test("--raft")) cmd.raft = raft;
        if (client != null && !givenOnCommandLine.test("--client")) cmd.client = client;
        if (http != null && !givenOnCommandLine.test("--http")) cmd.http = http;
        if (peers != null && !givenOnCommandLine.test("--peers")) cmd.peers = flagForm(peers);
        if (bootstrap != null && !givenOnCommandLine.test("--bootstrap")) cmd.bootstrap = bootstrap;
        if (join != null && !givenOnCommandLine.test("--join")) cmd.join = String.join(",", join);
        if (peerHttp != null && !givenOnCommandLine.test("--peer-http")) cmd.peerHttp = flagForm(peerHttp);
        if (peerClient != null && !givenOnCommandLine.test("--peer-client")) cmd.peerClient = flagForm(peerClient);
        if (dataDir != null && !givenOnCommandLine.test("--data-dir")) cmd.dataDir = Path.of(dataDir);
        if (cookie != null && !givenOnCommandLine.test("--cookie")) cmd.cookie = cookie;
        if (tickMillis != null && !givenOnCommandLine.test("--tick-ms")) cmd.tickMillis = tickMillis;
        if (electionTicks != null && !givenOnCommandLine.test("--election-ticks")) cmd.electionTicks = electionTicks;
        if (snapshotEvery != null && !givenOnCommandLine.test("--snapshot-every")) cmd.snapshotEvery = snapshotEvery;
        if (snapshotEveryBytes != null && !givenOnCommandLine.test("--snapshot-every-bytes")) {
            cmd.snapshotEveryBytes = snapshotEveryBytes;
        }
        if (store != null && !givenOnCommandLine.test("--store")) cmd.store = store;
        if (maxKeyBytes != null && !givenOnCommandLine.test("--max-key-bytes")) cmd.maxKeyBytes = maxKeyBytes;
        if (maxValueBytes != null && !givenOnCommandLine.test("--max-value-bytes")) cmd.maxValueBytes = maxValueBytes;
        if (requestTimeoutMillis != null && !givenOnCommandLine.test("--request-timeout-ms")) {
            cmd.requestTimeoutMillis = requestTimeoutMillis;
        }
        if (clientMaxInFlight != null && !givenOnCommandLine.test("--client-max-in-flight")) {
            cmd.clientMaxInFlight = clientMaxInFlight;
        }
        if (clusterId != null && !givenOnCommandLine.test("--cluster-id")) cmd.clusterId = clusterId;
        if (tlsCert != null && !givenOnCommandLine.test("--tls-cert")) cmd.tlsCert = Path.of(tlsCert);
        if (tlsKey != null && !givenOnCommandLine.test("--tls-key")) cmd.tlsKey = Path.of(tlsKey);
        if (tlsCa != null && !givenOnCommandLine.test("--tls-ca")) cmd.tlsCa = Path.of(tlsCa);
        if (clientToken != null && !givenOnCommandLine.test("--client-token")) cmd.clientToken = clientToken;
        if (adminToken != null && !givenOnCommandLine.test("--admin-token")) cmd.adminToken = adminToken;
        if (httpMaxConnections != null && !givenOnCommandLine.test("--http-max-connections")) {
            cmd.httpMaxConnections = httpMaxConnections;
        }
        if (httpMaxHeaderBytes != null && !givenOnCommandLine.test("--http-max-header-bytes")) {
            cmd.httpMaxHeaderBytes = httpMaxHeaderBytes;
        }
        if (httpReadTimeoutMillis != null && !givenOnCommandLine.test("--http-read-timeout-ms")) {
            cmd.httpReadTimeoutMillis = httpReadTimeoutMillis;
        }
        if (httpIdleTimeoutMillis != null && !givenOnCommandLine.test("--http-idle-timeout-ms")) {
            cmd.httpIdleTimeoutMillis = httpIdleTimeoutMillis;
        }
        if (clientMaxConnections != null && !givenOnCommandLine.test("--client-max-connections")) {
            cmd.clientMaxConnections = clientMaxConnections;
        }
        if (clientMaxInFlightBytes != null && !givenOnCommandLine.test("--client-max-in-flight-bytes")) {
            cmd.clientMaxInFlightBytes = clientMaxInFlightBytes;
        }
        if (maxInFlightBytes != null && !givenOnCommandLine.test("--max-in-flight-bytes")) cmd.maxInFlightBytes = maxInFlightBytes;
        if (maxInFlightRequests != null && !givenOnCommandLine.test("--max-in-flight-requests")) {
            cmd.maxInFlightRequests = maxInFlightRequests;
        }
    }

    /** What the flags' own checks would say later, said now with the file and field named. */
    private void check(Path file) {
        address(file, "raft", raft);
        address(file, "client", client);
        address(file, "http", http);
        if (join != null) {
            for (int i = 0; i < join.size(); i++) address(file, "join[" + i + "]", join.get(i));
        }
        members(file, "peers", peers);
        members(file, "peer-http", peerHttp);
        members(file, "peer-client", peerClient);
        if (id != null && id.isBlank()) throw bad(file, "id", "must not be empty");
        if (dataDir != null && dataDir.isBlank()) throw bad(file, "data-dir", "must not be empty");
        if (store != null && !store.equals("memory") && !store.equals("rocksdb")) {
            throw bad(file, "store", "must be \"memory\" or \"rocksdb\", got \"" + store + "\"");
        }
        for (String[] f : new String[][]{{"cluster-id", clusterId}, {"tls-cert", tlsCert}, {"tls-key", tlsKey},
                {"tls-ca", tlsCa}, {"client-token", clientToken}, {"admin-token", adminToken}}) {
            if (f[1] != null && f[1].isBlank()) throw bad(file, f[0], "must not be empty");
        }
        atLeast(file, "tick-ms", tickMillis, 1);
        atLeast(file, "election-ticks", electionTicks, 2);
        atLeast(file, "snapshot-every", snapshotEvery, 0);
        atLeast(file, "snapshot-every-bytes", snapshotEveryBytes, 0);
        atLeast(file, "max-key-bytes", maxKeyBytes, 1);
        atLeast(file, "max-value-bytes", maxValueBytes, 0);
        atLeast(file, "request-timeout-ms", requestTimeoutMillis, 1);
        atLeast(file, "client-max-in-flight", clientMaxInFlight, 1);
        atLeast(file, "http-max-connections", httpMaxConnections, 1);
        atLeast(file, "http-max-header-bytes", httpMaxHeaderBytes, 256);
        atLeast(file, "http-read-timeout-ms", httpReadTimeoutMillis, 1);
        atLeast(file, "http-idle-timeout-ms", httpIdleTimeoutMillis, 1);
        atLeast(file, "client-max-connections", clientMaxConnections, 1);
        atLeast(file, "client-max-in-flight-bytes", clientMaxInFlightBytes, 1);
        atLeast(file, "max-in-flight-bytes", maxInFlightBytes, 1);
        atLeast(file, "max-in-flight-requests", maxInFlightRequests, 1);
    }

    private static void address(Path file, String field, String value) {
        if (value == null) return;
        try {
            NodeConfig.parseAddress(value);
        } catch (IllegalArgumentException e) {
            throw bad(file, field, e.getMessage());
        }
    }

    private static void members(Path file, String field, Map<String, String> members) {
        if (members == null) return;
        if (members.isEmpty()) throw bad(file, field, "names no member");
        for (Map.Entry<String, String> m : members.entrySet()) {
            if (m.getKey().isBlank() || m.getKey().contains(",") || m.getKey().contains("=")) {
                throw bad(file, field, "member id \"" + m.getKey() + "\" is empty or holds ',' or '='");
            }
            if (m.getValue() == null) throw bad(file, field + "." + m.getKey(), "must be \"HOST:PORT\", not null");
            address(file, field + "." + m.getKey(), m.getValue());
        }
    }

    private static void atLeast(Path file, String field, Number value, long min) {
        if (value != null && value.longValue() < min) throw bad(file, field, "must be at least " + min + ", got " + value);
    }

    private static IllegalArgumentException bad(Path file, String field, String why) {
        return new IllegalArgumentException("config file " + file + ": field \"" + field + "\" " + why);
    }

    /** The {@code ID=HOST:PORT,...} form the flags take. */
    private static String flagForm(Map<String, String> members) {
        return members.entrySet().stream().map(m -> m.getKey() + "=" + m.getValue()).collect(Collectors.joining(","));
    }

    private static String path(JsonMappingException e) {
        return e.getPath().stream()
                .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                .collect(Collectors.joining("."));
    }

    private static String describe(Class<?> type) {
        if (type == Long.class || type == Integer.class || type == long.class || type == int.class) return "an integer";
        if (type == String.class) return "a string";
        if (Map.class.isAssignableFrom(type)) return "an object of member ids to \"HOST:PORT\" strings";
        if (type == NodeConfigFile.class) return "a JSON object";
        return "a " + type.getSimpleName();
    }
}
