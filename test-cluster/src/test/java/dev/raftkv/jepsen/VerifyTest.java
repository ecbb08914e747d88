package dev.raftkv.jepsen;

import dev.raftkv.check.Verdict;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.w3c.dom.Document;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A short Jepsen-style run of real processes under kill -9, SIGSTOP, partitions and clock skew, as part of mvn test. */
class VerifyTest {
    @TempDir
    Path out;

    @Test
    void aShortRunUnderEveryNemesisIsLinearizableAndLosesNothing() throws Exception {
        Verify.Result r = Verify.run(new Verify.Params(3, 15, 6, 10, List.of(Nemesis.Kind.values()), 7, out, null), System.out);
        System.out.println(r.line());
        assertThat(r.verdict()).isEqualTo(Verdict.LINEARIZABLE);
        assertThat(r.lostWrites()).isZero();
        assertThat(r.faults()).isPositive();
        assertThat(r.ops()).as("clients got work done").isGreaterThan(50);
        assertThat(r.audits()).as("bank audits answered").isGreaterThan(10);
        assertThat(r.badAudits()).isZero();
        List<String> history = Files.readAllLines(out.resolve(Report.HISTORY));
        assertThat(history).hasSize(r.ops());
        assertThat(history).as("lease reads answered").anyMatch(l -> l.contains("\"consistency\":\"lease\"") && l.contains("\"outcome\":\"OK\""));
        List<String> timeline = Files.readAllLines(out.resolve(Report.TIMELINE));
        assertThat(timeline).anyMatch(l -> l.contains("heal all"));
        assertThat(timeline).as("this seed skews clocks").anyMatch(l -> l.contains(" runs at "));
        assertThat(Files.readString(out.resolve(Report.VERDICT))).startsWith(r.line());
        assertThePlotShowsTheRun(timeline, r);
    }

    /**
     * The same on RocksDB stores, and over TLS on every port (one run for both, to keep mvn test short): every
     * kill -9 restarts a node from its database and the log it has not seen, and reconnects through TLS.
     */
    @Test
    void aShortRunOnTheRocksDbStoreOverTlsIsLinearizableAndLosesNothing() throws Exception {
        Verify.Result r = Verify.run(new Verify.Params(3, 12, 6, 10, List.of(Nemesis.Kind.KILL, Nemesis.Kind.PARTITION), 11,
                out, null, "rocksdb", true), System.out);
        System.out.println(r.line());
        assertThat(r.verdict()).isEqualTo(Verdict.LINEARIZABLE);
        assertThat(r.lostWrites()).isZero();
        assertThat(r.ops()).as("clients got work done").isGreaterThan(50);
        assertThat(Files.readAllLines(out.resolve(Report.TIMELINE))).as("this seed kills nodes").anyMatch(l -> l.contains("kill -9 n"));
        assertThat(Files.readString(out.resolve("n1.log"))).contains("keeps its keys in the RocksDB store")
                .contains("over TLS").doesNotContain("in plain text");
    }

    /** Every fault that began (a line of the timeline) is a shaded band of the plot, and every operation a point. */
    private void assertThePlotShowsTheRun(List<String> timeline, Verify.Result r) throws Exception {
        Document plot = LatencyPlotTest.parse(Files.readString(out.resolve(Report.PLOT)));
        List<String> bands = LatencyPlotTest.elements(plot, "rect", "fault").stream().map(e -> e.getAttribute("data-what")).toList();
        List<String> begun = timeline.stream().map(l -> l.substring(l.indexOf(" s  ") + 4))
                .filter(w -> w.startsWith("kill -9 n") || w.startsWith("pause ") || w.startsWith("partition ") || w.contains(" runs at "))
                .toList();
        assertThat(begun).isNotEmpty();
        assertThat(bands).containsExactlyInAnyOrderElementsOf(begun);
        int points = 0;
        for (String cls : List.of("ok", "fail", "unknown")) points += LatencyPlotTest.elements(plot, "circle", cls).size();
        assertThat(points).isEqualTo(r.ops());
        assertThat(plot.getElementById("verdict") == null ? "" : plot.getElementById("verdict").getTextContent()).isIn("", r.line());
        assertThat(Files.readString(out.resolve(Report.PLOT))).contains(r.line());
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

    /** Control: nodes that split a transaction into one log entry per operation must be caught by the bank's audits. */
    @Test
    void theTxnNotAtomicControlIsReportedAsAFailure() throws Exception {
        Verify.Result r = Verify.run(new Verify.Params(3, 6, 2, 3, List.of(Nemesis.Kind.PARTITION), 13, out, "txn-not-atomic"),
                System.out);
        System.out.println(r.line());
        assertThat(r.ok()).isFalse();
        assertThat(r.badAudits()).isPositive();
        assertThat(r.verdict()).as("the register clients are unaffected").isEqualTo(Verdict.LINEARIZABLE);
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
