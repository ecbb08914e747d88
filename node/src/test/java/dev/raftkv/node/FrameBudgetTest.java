package dev.raftkv.node;

import dev.raftkv.cli.RaftkvCli;
import dev.raftkv.kv.KvLimits;
import dev.raftkv.raft.RaftConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A node refuses to start with a --max-value-bytes whose largest entry one Raft frame cannot carry. */
class FrameBudgetTest {
    private static final long FRAME = RaftkvNode.TRANSPORT.maxEntryBytes();
    private static final RaftConfig RAFT = RaftConfig.defaults("n1");

    @TempDir
    Path dir;

    @Test
    void theLargestValueThatFitsIsAcceptedAndOneByteMoreIsNot() {
        int largest = FrameBudget.largestValueBytes(4096, FRAME);
        assertThat(largest).as("about half of the 16 MiB a frame carries: a CAS holds two values")
                .isBetween(8 * 1024 * 1024 - 8192, 8 * 1024 * 1024);
        assertThatCode(() -> FrameBudget.check(new KvLimits(4096, largest), RAFT, FRAME)).doesNotThrowAnyException();
        assertThatThrownBy(() -> FrameBudget.check(new KvLimits(4096, largest + 1), RAFT, FRAME))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--max-value-bytes " + (largest + 1) + " is too large for one Raft frame")
                .hasMessageContaining("the largest --max-value-bytes that fits is " + largest);
        assertThatCode(() -> FrameBudget.check(KvLimits.DEFAULT, RAFT, FRAME)).doesNotThrowAnyException();
    }

    @Test
    void aLeaderBudgetOverAFrameIsRefused() {
        assertThatThrownBy(() -> FrameBudget.check(KvLimits.DEFAULT, RAFT.withByteBudgets(FRAME + 1, FRAME), FRAME))
                .hasMessageContaining("AppendEntries budget");
    }

    @Test
    void theNodeCommandExitsWithTheReasonBeforeTouchingItsDataDirectory() {
        Path data = dir.resolve("n1");
        CommandLine cli = RaftkvCli.commandLine();
        StringWriter err = new StringWriter();
        cli.getSubcommands().get("node").setErr(new PrintWriter(err, true));
        int exit = cli.execute("node", "--id", "n1", "--raft", "127.0.0.1:0", "--http", "127.0.0.1:0", "--data-dir",
                data.toString(), "--bootstrap", "--cookie", "c", "--max-value-bytes", "12000000");
        assertThat(exit).isNotZero();
        assertThat(err.toString()).startsWith("node: --max-value-bytes 12000000 is too large for one Raft frame")
                .doesNotContain("Exception");
        assertThat(Files.exists(data)).isFalse();
    }
}
