package dev.raftkv.cli;

import dev.raftkv.kv.KvLimits;
import dev.raftkv.node.OneNodeCluster;
import dev.raftkv.node.RaftkvNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Every expected failure of a client command is one line that says what to do, with its own exit status. */
class CliErrorsTest {
    @TempDir
    Path dir;
    private RaftkvNode node;

    @AfterEach
    void stop() {
        if (node != null) node.close();
    }

    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    private static void assertOneLine(String text) {
        assertThat(text.lines()).as(text).hasSize(1);
        assertThat(text).doesNotContain("\tat ", "Exception");
    }

    @Test
    void aClusterThatDoesNotAnswerIsUnavailableAndNamesTheAddress() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        CliRun r = run("get", "k", "--cluster", "127.0.0.1:" + closed);
        assertThat(r.code()).isEqualTo(ExitCode.UNAVAILABLE.code).isEqualTo(3);
        assertOneLine(r.err());
        assertThat(r.err()).startsWith("get: no member answered at 127.0.0.1:" + closed).contains("cluster status");
    }

    @Test
    void aFileOrDirectoryThatIsNotThereIsAUsageError() {
        CliRun txn = run("txn", dir.resolve("nope.json").toString(), "--cluster", "127.0.0.1:1");
        assertThat(txn.code()).isEqualTo(2);
        assertOneLine(txn.err());
        assertThat(txn.err()).contains("no such file: " + dir.resolve("nope.json"));

        CliRun status = run("cluster", "--dir", dir.resolve("missing").toString(), "status");
        assertThat(status.code()).isEqualTo(2);
        assertOneLine(status.err());
        assertThat(status.err()).contains(dir.resolve("missing").toString());
    }

    @Test
    void eachKindOfAnswerHasItsStatusAndTheServersMessage() throws Exception {
        node = OneNodeCluster.start(dir, new KvLimits(16, 1024));
        String at = "127.0.0.1:" + node.httpPort();
        CliRun missing = run("get", "absent", "--cluster", at);
        assertThat(missing.code()).isEqualTo(ExitCode.NO.code);
        assertThat(missing.out()).isEqualTo("get: no value for key 'absent' (HTTP 404)" + System.lineSeparator());

        CliRun tooLong = run("put", "a-key-longer-than-sixteen-bytes", "v", "--cluster", at);
        assertThat(tooLong.code()).isEqualTo(ExitCode.USAGE.code);
        assertOneLine(tooLong.err());
        assertThat(tooLong.err()).contains("the key has 31 bytes; the limit is 16 (HTTP 413)");

        CliRun json = run("get", "absent", "--cluster", at, "--json");
        assertThat(json.out()).startsWith("{").contains("\"not_found\"");

        byte[] binary = new byte[1000];
        for (int i = 0; i < binary.length; i++) binary[i] = (byte) i;
        Path file = dir.resolve("value.bin");
        java.nio.file.Files.write(file, binary);
        assertThat(run("put", "k", "--file", file.toString(), "--cluster", at).code()).isZero();
        assertThat(new dev.raftkv.node.LocalHttp().call(node.httpPort(), "GET", "/v1/kv/k?meta=true", null).body()).contains("valueBase64");
        CliRun neither = run("put", "k", "--cluster", at);
        assertThat(neither.code()).isEqualTo(ExitCode.USAGE.code);
        assertThat(neither.err()).contains("give a VALUE, - (standard input) or --file FILE");
    }

    @Test
    void statusIsOneTableOfEveryMemberAndJsonOnRequest() throws Exception {
        node = OneNodeCluster.start(dir, KvLimits.DEFAULT);
        String at = "127.0.0.1:" + node.httpPort();
        List<String> table = run("status", "--cluster", at).out().lines().toList();
        assertThat(table).hasSize(2);
        assertThat(table.get(0)).matches("ID +HTTP +ROLE +TERM +LEADER +COMMIT +APPLIED");
        assertThat(table.get(1)).startsWith("n1").contains(at).contains("leader");
        assertThat(table.get(1).indexOf(at)).isEqualTo(table.get(0).indexOf("HTTP")); // aligned
        String json = run("status", "--cluster", at, "--json").out();
        assertThat(new com.fasterxml.jackson.databind.ObjectMapper().readTree(json).get(0).get("role").asText()).isEqualTo("leader");
    }

    @Test
    void aMemberThatDoesNotAnswerIsARowThatSaysSo() {
        var rows = new com.fasterxml.jackson.databind.ObjectMapper().createArrayNode();
        rows.addObject().put("id", "n1").put("http", "127.0.0.1:8001").put("role", "leader").put("term", 3)
                .put("leader", "n1").put("commitIndex", 10).put("appliedIndex", 10);
        rows.addObject().put("id", "n2").put("http", "127.0.0.1:8002").put("error", "unreachable");
        List<String> lines = MemberTable.render(rows).lines().toList();
        assertThat(lines.get(2)).startsWith("n2").contains("unreachable");
        assertThat(lines.get(2).indexOf("unreachable")).isEqualTo(lines.get(0).indexOf("ROLE"));
    }

    @Test
    void raftkvEndpointsListsAddressesByCommas() {
        assertThat(ClientCommands.Target.endpoints(" 127.0.0.1:8001, [::1]:8002,,127.0.0.1:8003 "))
                .containsExactly("127.0.0.1:8001", "[::1]:8002", "127.0.0.1:8003");
    }

    @Test
    void everyClusterSubcommandHasHelp() {
        for (String sub : new String[]{"up", "add", "status", "stop", "start", "down"}) {
            CliRun help = run("cluster", sub, "--help");
            assertThat(help.code()).as(sub).isZero();
            assertThat(help.out()).as(sub).startsWith("Usage: raftkv cluster " + sub);
        }
    }
}
