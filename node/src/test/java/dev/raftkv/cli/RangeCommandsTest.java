package dev.raftkv.cli;

import dev.raftkv.kv.KvLimits;
import dev.raftkv.node.LocalHttp;
import dev.raftkv.node.OneNodeCluster;
import dev.raftkv.node.RaftkvNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code raftkv ls}, {@code scan}, {@code delete --prefix}, {@code get --meta} and {@code txn} against one real node. */
class RangeCommandsTest {
    @TempDir
    Path dir;
    private RaftkvNode node;

    @AfterEach
    void stop() {
        if (node != null) node.close();
    }

    /** The command with this node's address put after its name. */
    private CliRun run(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add(1, "--cluster");
        all.add(2, "127.0.0.1:" + node.httpPort());
        return CliRun.of(all.toArray(String[]::new));
    }

    @Test
    void listScanDeleteByPrefixAndATransactionFromAFile() throws Exception {
        node = OneNodeCluster.start(dir, KvLimits.DEFAULT);
        // more keys than one page of ls, so that it must walk pages
        LocalHttp http = new LocalHttp();
        for (int i = 0; i < 1005; i++) {
            assertThat(http.call(node.httpPort(), "PUT", "/v1/kv/cfg/" + String.format("%04d", i), "v" + i).statusCode()).isEqualTo(200);
        }
        assertThat(run("put", "other", "x").code()).isZero();

        List<String> keys = run("ls", "cfg/").out().lines().toList();
        assertThat(keys).hasSize(1005).startsWith("cfg/0000", "cfg/0001").endsWith("cfg/1004");
        assertThat(run("ls").out().lines()).hasSize(1006);
        assertThat(run("scan", "--start", "cfg/0002", "--end", "cfg/0004").out().lines()).containsExactly("cfg/0002\tv2", "cfg/0003\tv3");
        assertThat(run("scan", "--prefix", "cfg/", "--max", "3").out().lines()).hasSize(3);
        assertThat(run("get", "--meta", "other").out()).contains("\"version\":1", "\"value\":\"x\"");

        Path txn = dir.resolve("txn.json");
        Files.writeString(txn, """
                {"compare":[{"key":"other","value":"x"}],
                 "success":[{"put":{"key":"other","value":"y"}}],
                 "failure":[{"get":{"key":"other"}}]}""");
        CliRun first = run("txn", txn.toString());
        assertThat(first.code()).as(first.err()).isZero();
        assertThat(first.out()).contains("\"succeeded\" : true");
        assertThat(run("txn", txn.toString()).code()).isEqualTo(1); // the value is y now: the failure branch ran

        CliRun deleted = run("delete", "--prefix", "cfg/");
        assertThat(deleted.out()).contains("\"deleted\":1005");
        assertThat(run("ls").out().lines()).containsExactly("other");

        CliRun bad = run("delete");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("name a KEY or a --prefix");
    }
}
