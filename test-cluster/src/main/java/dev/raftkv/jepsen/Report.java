package dev.raftkv.jepsen;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.raftkv.check.CheckResult;
import dev.raftkv.check.LocalReadChecker;
import dev.raftkv.harness.ProcessCluster;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The report directory of a verify run (README, "Reading the report"): {@code history.jsonl},
 * {@code timeline.txt}, {@code verdict.txt}, {@code latency.html} and each node's log.
 */
final class Report {
    static final String HISTORY = "history.jsonl";
    static final String TIMELINE = "timeline.txt";
    static final String VERDICT = "verdict.txt";
    static final String PLOT = "latency.html";

    private Report() {
    }

    static void write(Path out, List<ClientOp> ops, List<String> timeline, List<FaultPeriod> faults, long endNanos,
                      String verdictLine, CheckResult lin, List<String> lost, LocalReadChecker.Result local,
                      ProcessCluster cluster) throws IOException {
        ObjectMapper json = new ObjectMapper();
        try (BufferedWriter w = Files.newBufferedWriter(out.resolve(HISTORY))) {
            for (ClientOp c : ops) {
                ObjectNode line = json.valueToTree(c.op());
                line.put("node", c.node());
                if (c.consistency() != null) line.put("consistency", c.consistency());
                w.write(json.writeValueAsString(line));
                w.newLine();
            }
        }
        Files.write(out.resolve(TIMELINE), timeline);
        List<String> verdict = new ArrayList<>();
        verdict.add(verdictLine);
        verdict.add("linearizability: " + lin.verdict() + (lin.key() == null ? "" : " (key " + lin.key() + ")"));
        if (lin.explanation() != null && !lin.explanation().isEmpty()) verdict.add(lin.explanation());
        verdict.add("lost acknowledged writes: " + lost.size());
        verdict.addAll(lost);
        verdict.add("local reads: " + local.checked() + " checked, " + local.violations().size() + " bad");
        verdict.addAll(local.violations());
        Files.write(out.resolve(VERDICT), verdict);
        Files.writeString(out.resolve(PLOT), LatencyPlot.html(ops, faults, endNanos, verdictLine));
        for (ProcessCluster.Member m : cluster.members()) Files.writeString(out.resolve(m.id + ".log"), cluster.logOf(m.id));
    }
}
