package dev.raftkv.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code raftkv node --config FILE}: the file gives what the flags would, flags win, and mistakes name field and file. */
class NodeConfigFileTest {
    private static final String FULL = """
            {
              "id": "n2",
              "raft": "127.0.0.1:7002",
              "client": "127.0.0.1:9002",
              "http": "127.0.0.1:8002",
              "peers": {"n1": "127.0.0.1:7001", "n2": "127.0.0.1:7002", "n3": "127.0.0.1:7003"},
              "peer-http": {"n1": "127.0.0.1:8001", "n2": "127.0.0.1:8002", "n3": "127.0.0.1:8003"},
              "peer-client": {"n1": "127.0.0.1:9001", "n2": "127.0.0.1:9002", "n3": "127.0.0.1:9003"},
              "data-dir": "data/n2",
              "cookie": "from-the-file",
              "tick-ms": 50,
              "election-ticks": 12,
              "snapshot-every": 500,
              "snapshot-every-bytes": 1000000,
              "max-key-bytes": 128,
              "max-value-bytes": 2048,
              "request-timeout-ms": 3000,
              "client-max-in-flight": 64,
              "store": "rocksdb"
            }
            """;

    @TempDir
    Path dir;

    private Path file(String json) throws IOException {
        Path f = dir.resolve("node.json");
        Files.writeString(f, json);
        return f;
    }

    /** Parses as picocli does for {@code raftkv node ARGS}, then resolves the settings as {@code call()} does first. */
    private static NodeCommand resolved(String... args) {
        NodeCommand cmd = new NodeCommand();
        new CommandLine(cmd).parseArgs(args);
        cmd.resolveSettings();
        return cmd;
    }

    @Test
    void theStoreComesFromTheFileAndMustMatchWhatTheDataDirectoryHolds() throws IOException {
        assertThat(resolved("--config", file(FULL).toString()).store).isEqualTo("rocksdb");
        assertThat(resolved("--config", file(FULL).toString(), "--store", "memory").store).isEqualTo("memory");
        assertThatThrownBy(() -> resolved("--config", file(FULL.replace("\"rocksdb\"", "\"rocks\"")).toString()))
                .hasMessageContaining("field \"store\" must be \"memory\" or \"rocksdb\"");
        Path data = dir.resolve("data");
        assertThat(NodeCommand.storeKind("rocksdb", data)).isEqualTo(dev.raftkv.node.StoreKind.ROCKSDB);
        Files.createDirectories(data.resolve("kv"));
        assertThatThrownBy(() -> NodeCommand.storeKind("memory", data)).hasMessageContaining("start this node with --store rocksdb");
        Files.delete(data.resolve("kv"));
        Files.createDirectories(data.resolve("log"));
        Files.writeString(data.resolve("log").resolve("00000000000000000001.seg"), "x");
        assertThatThrownBy(() -> NodeCommand.storeKind("rocksdb", data)).hasMessageContaining("start this node with --store memory");
        assertThatThrownBy(() -> NodeCommand.storeKind("leveldb", data)).hasMessageContaining("--store must be memory or rocksdb");
    }

    @Test
    void aFileAloneGivesEverySetting() throws IOException {
        NodeCommand cmd = resolved("--config", file(FULL).toString());
        assertThat(cmd.id).isEqualTo("n2");
        assertThat(cmd.raft).isEqualTo("127.0.0.1:7002");
        assertThat(cmd.client).isEqualTo("127.0.0.1:9002");
        assertThat(cmd.http).isEqualTo("127.0.0.1:8002");
        assertThat(cmd.peers).isEqualTo("n1=127.0.0.1:7001,n2=127.0.0.1:7002,n3=127.0.0.1:7003");
        assertThat(cmd.peerHttp).isEqualTo("n1=127.0.0.1:8001,n2=127.0.0.1:8002,n3=127.0.0.1:8003");
        assertThat(cmd.peerClient).isEqualTo("n1=127.0.0.1:9001,n2=127.0.0.1:9002,n3=127.0.0.1:9003");
        assertThat(cmd.dataDir).isEqualTo(Path.of("data/n2"));
        assertThat(cmd.cookie).isEqualTo("from-the-file");
        assertThat(cmd.tickMillis).isEqualTo(50);
        assertThat(cmd.electionTicks).isEqualTo(12);
        assertThat(cmd.snapshotEvery).isEqualTo(500);
        assertThat(cmd.snapshotEveryBytes).isEqualTo(1_000_000);
        assertThat(cmd.maxKeyBytes).isEqualTo(128);
        assertThat(cmd.maxValueBytes).isEqualTo(2048);
        assertThat(cmd.requestTimeoutMillis).isEqualTo(3000);
        assertThat(cmd.clientMaxInFlight).isEqualTo(64);
    }

    @Test
    void flagsOnTheCommandLineWinEvenWhenTheyRepeatTheDefault() throws IOException {
        NodeCommand cmd = resolved("--config", file(FULL).toString(), "--id", "n9", "--tick-ms", "100",
                "--peers", "n9=127.0.0.1:7009", "--client-max-in-flight", "8");
        assertThat(cmd.id).isEqualTo("n9");
        assertThat(cmd.tickMillis).isEqualTo(100); // the built-in default, but given: it beats the file's 50
        assertThat(cmd.peers).isEqualTo("n9=127.0.0.1:7009");
        assertThat(cmd.clientMaxInFlight).isEqualTo(8);
        assertThat(cmd.electionTicks).isEqualTo(12); // not given: from the file
    }

    @Test
    void whatNeitherGivesKeepsItsDefault() throws IOException {
        NodeCommand cmd = resolved("--config", file("""
                {"id": "n1", "raft": "127.0.0.1:7001", "http": "127.0.0.1:8001",
                 "peers": {"n1": "127.0.0.1:7001"}, "data-dir": "d"}
                """).toString());
        assertThat(cmd.tickMillis).isEqualTo(100);
        assertThat(cmd.clientMaxInFlight).isEqualTo(1024);
        assertThat(cmd.snapshotEveryBytes).isEqualTo(64L * 1024 * 1024);
        assertThat(cmd.client).isNull();
    }

    @Test
    void theEdgeLimitsComeFromFlagsOrTheFileAndHaveDefaults() throws IOException {
        String base = "{\"id\": \"n1\", \"raft\": \"127.0.0.1:7001\", \"http\": \"127.0.0.1:8001\", \"data-dir\": \"d\", "
                + "\"peers\": {\"n1\": \"127.0.0.1:7001\"}";
        dev.raftkv.node.EdgeLimits defaults = resolved("--config", file(base + "}").toString()).edgeLimits();
        assertThat(defaults.httpMaxConnections()).isEqualTo(1024);
        assertThat(defaults.httpMaxHeaderBytes()).isEqualTo(8192);
        assertThat(defaults.httpReadTimeout()).hasSeconds(10);
        assertThat(defaults.maxInFlightBytes()).isEqualTo(dev.raftkv.node.EdgeLimits.defaultMaxInFlightBytes());
        NodeCommand cmd = resolved("--config", file(base + ", \"http-max-connections\": 50, \"http-max-header-bytes\": 4096,"
                + " \"http-read-timeout-ms\": 2000, \"http-idle-timeout-ms\": 9000, \"client-max-connections\": 60,"
                + " \"client-max-in-flight-bytes\": 1000000, \"max-in-flight-bytes\": 50000000,"
                + " \"max-in-flight-requests\": 500}").toString(), "--http-max-connections", "7");
        dev.raftkv.node.EdgeLimits e = cmd.edgeLimits();
        assertThat(e.httpMaxConnections()).isEqualTo(7); // the flag wins
        assertThat(e.httpMaxHeaderBytes()).isEqualTo(4096);
        assertThat(e.httpReadTimeout().toMillis()).isEqualTo(2000);
        assertThat(e.httpIdleTimeout().toMillis()).isEqualTo(9000);
        assertThat(e.clientMaxConnections()).isEqualTo(60);
        assertThat(e.clientMaxInFlightBytes()).isEqualTo(1_000_000);
        assertThat(e.maxInFlightBytes()).isEqualTo(50_000_000);
        assertThat(e.maxInFlightRequests()).isEqualTo(500);
        assertThatThrownBy(() -> resolved("--config", file(base + ", \"http-read-timeout-ms\": 0}").toString()))
                .hasMessageContaining("field \"http-read-timeout-ms\" must be at least 1, got 0");
        assertThatThrownBy(() -> resolved("--config", file(base + "}").toString(), "--http-max-header-bytes", "10").edgeLimits())
                .hasMessageContaining("--http-max-header-bytes must be at least 256, got 10");
    }

    @Test
    void aNodeThatJoinsOrBootstrapsSaysSoInItsFile() throws IOException {
        NodeCommand joins = resolved("--config", file("""
                {"id": "n4", "raft": "127.0.0.1:7004", "http": "127.0.0.1:8004", "data-dir": "d",
                 "join": ["127.0.0.1:8001", "127.0.0.1:8002"]}
                """).toString());
        assertThat(joins.join).isEqualTo("127.0.0.1:8001,127.0.0.1:8002");
        assertThat(joins.bootstrap).isFalse();
        NodeCommand alone = resolved("--config", file("""
                {"id": "n1", "raft": "127.0.0.1:7001", "http": "127.0.0.1:8001", "data-dir": "d", "bootstrap": true}
                """).toString());
        assertThat(alone.bootstrap).isTrue();
        Path bad = file("{\"join\": [\"nowhere\"]}");
        assertThatThrownBy(() -> resolved("--config", bad.toString())).hasMessageContaining("join[0]");
    }

    @Test
    void aRequiredSettingInNeitherPlaceIsNamed() throws IOException {
        Path f = file("""
                {"id": "n1", "raft": "127.0.0.1:7001", "http": "127.0.0.1:8001", "peers": {"n1": "127.0.0.1:7001"}}
                """);
        assertThatThrownBy(() -> resolved("--config", f.toString()))
                .hasMessage("missing --data-dir (or in " + f + ")");
        assertThat(resolved("--config", f.toString(), "--data-dir", "d").dataDir).isEqualTo(Path.of("d"));
        assertThatThrownBy(() -> resolved("--raft", "127.0.0.1:1")).hasMessage("missing --id");
    }

    @Test
    void anUnknownFieldIsNamedWithTheFile() throws IOException {
        Path f = file("{\"id\": \"n1\", \"tick_ms\": 50}");
        assertThatThrownBy(() -> resolved("--config", f.toString()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("config file " + f + ": unknown field \"tick_ms\"")
                .hasMessageContaining("tick-ms");
    }

    @Test
    void badValuesNameTheFieldAndTheFile() throws IOException {
        assertBad("{\"tick-ms\": \"fast\"}", "field \"tick-ms\" must be an integer");
        assertBad("{\"tick-ms\": 1.5}", "field \"tick-ms\" must be an integer");
        assertBad("{\"raft\": 7001}", "field \"raft\" must be a string");
        assertBad("{\"election-ticks\": 1}", "field \"election-ticks\" must be at least 2, got 1");
        assertBad("{\"snapshot-every-bytes\": -1}", "field \"snapshot-every-bytes\" must be at least 0, got -1");
        assertBad("{\"client-max-in-flight\": 0}", "field \"client-max-in-flight\" must be at least 1, got 0");
        assertBad("{\"http\": \"localhost\"}", "field \"http\" an address is HOST:PORT");
        assertBad("{\"peers\": {\"n1\": \"127.0.0.1:99999\"}}", "field \"peers.n1\" bad port");
        assertBad("{\"peers\": [\"n1=127.0.0.1:7001\"]}", "field \"peers\" must be an object of member ids");
        assertBad("{\"peers\": {}}", "field \"peers\" names no member");
        assertBad("{\"id\": \"n1\", \"id\": \"n2\"}", "Duplicate field 'id'");
        assertBad("{\"id\": \"n1\",}", "is not valid JSON (line 1");
        assertBad("[1, 2]", "must be a JSON object");
    }

    private void assertBad(String json, String message) throws IOException {
        Path f = file(json);
        assertThatThrownBy(() -> resolved("--config", f.toString()))
                .as(json)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("config file " + f)
                .hasMessageContaining(message);
    }

    @Test
    void aMissingFileIsSaidSo() {
        Path f = dir.resolve("nope.json");
        assertThatThrownBy(() -> resolved("--config", f.toString())).hasMessage("config file " + f + " does not exist");
    }

    @Test
    void theCommandLineReportsABadFileInOneLineWithoutAStackTrace() throws IOException {
        Path f = file("{\"tick-ms\": -5}");
        StringWriter err = new StringWriter();
        CommandLine cli = RaftkvCli.commandLine();
        cli.getSubcommands().get("node").setErr(new PrintWriter(err, true));
        int exit = cli.execute("node", "--config", f.toString());
        assertThat(exit).as("a bad setting is a usage error").isEqualTo(ExitCode.USAGE.code);
        assertThat(err.toString().trim())
                .isEqualTo("node: config file " + f + ": field \"tick-ms\" must be at least 1, got -5");
    }
}
