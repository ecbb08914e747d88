package dev.raftkv.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.raftkv.kv.KvLimits;
import dev.raftkv.node.OneNodeCluster;
import dev.raftkv.node.RaftkvNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A smoke run of {@code raftkv bench}: it finds the client port from /v1/status and reports its fields. Not a speed test. */
class BenchCommandTest {
    @TempDir
    Path dir;
    private RaftkvNode node;

    @AfterEach
    void stop() {
        if (node != null) node.close();
    }

    private String[] run(String... args) {
        CliRun r = CliRun.of(args);
        assertThat(r.code()).as("exit code; stderr: %s", r.err()).isZero();
        return new String[]{r.out(), r.err()};
    }

    @Test
    void aShortMixedRunPrintsOneJsonResultLine() throws Exception {
        node = OneNodeCluster.start(dir, KvLimits.DEFAULT);
        String http = "127.0.0.1:" + node.httpPort();
        String[] outErr = run("bench", "--cluster", http, "--clients", "4", "--duration", "1s", "--report-every", "400ms",
                "--workload", "mixed", "--keys", "20", "--json");
        List<String> lines = outErr[0].lines().toList();
        assertThat(lines).hasSize(1);
        JsonNode result = new ObjectMapper().readTree(lines.get(0));
        assertThat(result.get("ops").asLong()).isPositive();
        assertThat(result.get("errors").asLong()).isZero();
        for (String field : List.of("workload", "clients", "seconds", "throughput", "p50Ms", "p99Ms", "p999Ms", "maxMs")) {
            assertThat(result.has(field)).as(field).isTrue();
        }
        assertThat(outErr[1]).contains("ops/s"); // progress went to stderr
        // the node's peak heap, from its /v1/status: positive, and within its maximum
        JsonNode heap = result.path("peakHeap");
        assertThat(heap.path("n1").asText()).matches("at most \\d+ MiB in use after a collection, pools' peaks \\d+ MiB, of max \\d+ MiB");
    }

    @Test
    void theTextReportNamesThroughputAndPercentiles() throws Exception {
        node = OneNodeCluster.start(dir, KvLimits.DEFAULT);
        String out = run("bench", "--cluster", "127.0.0.1:" + node.httpPort(), "--clients", "2", "--duration", "500ms")[0];
        assertThat(out).contains("ops/s", "p50", "p99", "p99.9").containsPattern("heap of n1: at most \\d+ MiB in use after a collection, pools' peaks \\d+ MiB, of max \\d+ MiB");
    }

    @Test
    void theScanAndTxnWorkloadsRunWithoutErrors() throws Exception {
        node = OneNodeCluster.start(dir, KvLimits.DEFAULT);
        String http = "127.0.0.1:" + node.httpPort();
        String[] scan = run("bench", "--cluster", http, "--clients", "4", "--duration", "500ms", "--workload", "scan",
                "--keys", "300", "--scan-keys", "50");
        assertThat(scan[0]).contains("scan workload (50 keys a scan)");
        assertThat(scan[0]).contains("ops/s", "p50", "p99.9").containsPattern("errors 0\\b");
        // four clients on 20 keys: some transfers find a key moved under them, and run their failure branch
        String[] txn = run("bench", "--cluster", http, "--clients", "4", "--duration", "500ms", "--workload", "txn",
                "--keys", "20", "--json");
        JsonNode result = new ObjectMapper().readTree(txn[0].lines().toList().get(0));
        assertThat(result.get("workload").asText()).isEqualTo("txn");
        assertThat(result.get("ops").asLong()).isPositive();
        assertThat(result.get("errors").asLong()).isZero();
        assertThat(result.get("conflicts").asLong()).isBetween(0L, result.get("ops").asLong());
    }

    @Test
    void aScanLongerThanAPageIsRefusedBeforeTheRun() throws Exception {
        node = OneNodeCluster.start(dir, KvLimits.DEFAULT);
        CommandLine cli = RaftkvCli.commandLine();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(new StringWriter()));
        cli.setErr(new PrintWriter(err));
        assertThat(cli.execute("bench", "--cluster", "127.0.0.1:" + node.httpPort(), "--workload", "scan", "--scan-keys", "1001"))
                .isNotZero();
        assertThat(err.toString()).contains("--scan-keys must be 1 to 1000");
    }

    @Test
    void statusListsEachMembersClientAndRaftAddress() throws Exception {
        node = OneNodeCluster.start(dir, KvLimits.DEFAULT);
        var addresses = BenchCommand.discoverClientAddresses(new HttpCluster(List.of("127.0.0.1:" + node.httpPort()), dev.raftkv.client.ClientSecurity.NONE));
        assertThat(addresses).hasSize(1);
        assertThat(addresses.get(0).getPort()).isEqualTo(node.clientPort());
        String status = new String(new HttpCluster(List.of("127.0.0.1:" + node.httpPort()), dev.raftkv.client.ClientSecurity.NONE).send("GET", "/v1/status", null).body(),
                java.nio.charset.StandardCharsets.UTF_8);
        assertThat(status).contains("\"raft\":\"127.0.0.1:1\"", "\"client\":\"127.0.0.1:" + node.clientPort() + "\"");
    }
}
