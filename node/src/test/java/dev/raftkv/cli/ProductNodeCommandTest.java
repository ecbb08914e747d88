package dev.raftkv.cli;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

/** The node command users run accepts no switch that weakens safety; only the harness's entry point does. */
class ProductNodeCommandTest {
    @ParameterizedTest
    @ValueSource(strings = {"--unsafe-local-reads", "--unsafe-clock-control", "--unsafe-eager-ack-ms=2000",
            "--unsafe-inject-bug=stale-read"})
    void refusesEveryTestOnlySwitch(String flag) {
        CommandLine cli = RaftkvCli.commandLine();
        StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute("node", "--id", "n1", "--raft", "127.0.0.1:0", "--http", "127.0.0.1:0", "--data-dir",
                "/nonexistent", "--bootstrap", "--cookie", "c", flag);
        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("Unknown option").contains(flag.split("=")[0]);
    }
}
