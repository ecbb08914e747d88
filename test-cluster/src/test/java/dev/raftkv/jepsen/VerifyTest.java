package dev.raftkv.jepsen;

import dev.raftkv.check.Verdict;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A short Jepsen-style run of real processes under kill -9 and SIGSTOP, as part of mvn test. */
class VerifyTest {
    @TempDir
    Path out;

    @Test
    void aShortRunUnderKillAndPauseIsLinearizableAndLosesNothing() throws Exception {
        Verify.Result r = Verify.run(new Verify.Params(3, 15, 6, 10, List.of(Nemesis.Kind.values()), 7, out, null), System.out);
        System.out.println(r.line());
        assertThat(r.verdict()).isEqualTo(Verdict.LINEARIZABLE);
        assertThat(r.lostWrites()).isZero();
        assertThat(r.faults()).isPositive();
        assertThat(r.ops()).as("clients got work done").isGreaterThan(50);
        assertThat(out.resolve("history.jsonl")).exists();
        assertThat(Files.readAllLines(out.resolve("timeline.txt"))).anyMatch(l -> l.contains("heal all"));
    }

    /**
     * Control: nodes that answer "linearizable" reads from their own state must be caught. A node cut
     * off by a partition keeps answering from a state the majority has left behind.
     */
    @Test
    void theStaleReadsControlIsReportedAsAFailure() throws Exception {
        Verify.Result r = Verify.run(new Verify.Params(3, 12, 8, 3, List.of(Nemesis.Kind.PARTITION), 3, out, "stale-reads"),
                System.out);
        System.out.println(r.line());
        assertThat(r.ok()).isFalse();
        assertThat(r.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
        assertThat(Files.readString(out.resolve("verdict.txt"))).contains("NOT_LINEARIZABLE");
    }

    /** Control: nodes that acknowledge writes before they are durable must be caught once a majority is killed. */
    @Test
    void theNoFsyncControlIsReportedAsAFailure() throws Exception {
        Verify.Result r = Verify.run(new Verify.Params(3, 12, 6, 10, List.of(Nemesis.Kind.KILL), 5, out, "no-fsync"),
                System.out);
        System.out.println(r.line());
        assertThat(r.ok()).isFalse();
    }
}
