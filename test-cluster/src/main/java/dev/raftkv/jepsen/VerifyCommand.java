package dev.raftkv.jepsen;

import dev.raftkv.cli.CliSubcommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code raftkv verify}: a Jepsen-style check of real node processes under faults. */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Starts a cluster of real node processes, drives it with clients while a nemesis kills, pauses and "
                + "partitions nodes and skews their clocks, heals, reads every key, and checks the history for linearizability "
                + "and lost writes. Exit 0 only if every check passed.")
public final class VerifyCommand implements Callable<Integer>, CliSubcommand {
    @Option(names = "--nodes", defaultValue = "3")
    int nodes;

    @Option(names = "--time", defaultValue = "30s", paramLabel = "DURATION",
            description = "How long faults and load last: seconds, or with a unit, e.g. 90s or 5m (default ${DEFAULT-VALUE}).")
    String time;

    @Option(names = "--clients", defaultValue = "10")
    int clients;

    @Option(names = "--keys", defaultValue = "20")
    int keys;

    @Option(names = "--nemesis", defaultValue = "all", split = ",", description = "kill, pause, partition, clock, or all (default ${DEFAULT-VALUE}).")
    List<String> nemesis;

    @Option(names = "--seed", defaultValue = "1")
    long seed;

    @Option(names = "--out", defaultValue = "raftkv-verify", description = "Report directory: history.jsonl, timeline.txt, verdict.txt, latency.html, node logs.")
    Path out;

    @Option(names = "--control", paramLabel = "stale-reads|no-fsync|txn-not-atomic",
            description = "Run deliberately broken nodes to show the checkers catch them: stale-reads (reads served locally "
                    + "without ReadIndex), no-fsync (writes acknowledged before they are durable, with the kill nemesis) "
                    + "or txn-not-atomic (a transaction proposed as one entry per operation: the bank's audits). "
                    + "Such a run must fail.")
    String control;

    @Option(names = "--store", defaultValue = "memory", paramLabel = "memory|rocksdb",
            description = "Where the nodes keep their keys (default ${DEFAULT-VALUE}).")
    String store;

    @Option(names = "--tls", description = "Every port of every node speaks TLS 1.3 (the Raft port mutual), with a CA made for the run.")
    boolean tls;

    /** {@code 300}, {@code 300s} or {@code 5m}, in seconds. */
    static long seconds(String duration) {
        String d = duration.trim();
        try {
            if (d.endsWith("m")) return Long.parseLong(d.substring(0, d.length() - 1)) * 60;
            if (d.endsWith("s")) return Long.parseLong(d.substring(0, d.length() - 1));
            return Long.parseLong(d);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--time takes seconds (300), or 300s or 5m; got '" + duration + "'");
        }
    }

    @Override
    public Object command() {
        return new VerifyCommand();
    }

    @Override
    public Integer call() throws Exception {
        List<Nemesis.Kind> kinds = new ArrayList<>();
        for (String n : nemesis) {
            switch (n) {
                case "kill" -> kinds.add(Nemesis.Kind.KILL);
                case "pause" -> kinds.add(Nemesis.Kind.PAUSE);
                case "partition" -> kinds.add(Nemesis.Kind.PARTITION);
                case "clock" -> kinds.add(Nemesis.Kind.CLOCK);
                case "all" -> kinds.addAll(List.of(Nemesis.Kind.values()));
                case "none" -> { }
                default -> throw new IllegalArgumentException("unknown nemesis '" + n + "': kill, pause, partition, clock, all or none");
            }
        }
        Verify.Result r = Verify.run(new Verify.Params(nodes, seconds(time), clients, keys, kinds, seed, out, control,
                dev.raftkv.node.StoreKind.parse(store).flag(), tls), System.err);
        System.out.println(r.line());
        System.out.println("report in " + out.toAbsolutePath());
        return r.ok() ? 0 : 1;
    }
}
