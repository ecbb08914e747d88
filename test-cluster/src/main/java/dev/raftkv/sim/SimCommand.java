package dev.raftkv.sim;

import dev.raftkv.cli.CliSubcommand;
import dev.raftkv.raft.InjectedBug;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.Set;
import java.util.concurrent.Callable;

/** {@code raftkv sim}: runs the deterministic simulator over many seeds. */
@Command(name = "sim", mixinStandardHelpOptions = true,
        description = {"Runs real Raft servers over a simulated network and disks, in virtual time, one seed at a time,",
                "with faults, clients and checkers. Prints every failing seed with its replay command, then",
                "'sim: N seeds, V violations'. Exits 1 if V > 0."})
public final class SimCommand implements Callable<Integer>, CliSubcommand {
    @Option(names = "--seeds", defaultValue = "100", description = "How many seeds to run (default ${DEFAULT-VALUE}).")
    int seeds;

    @Option(names = "--start", defaultValue = "1", description = "First seed (default ${DEFAULT-VALUE}).")
    long start;

    @Option(names = "--nodes", defaultValue = "3", description = "Cluster size, 3 or 5 (default ${DEFAULT-VALUE}).")
    int nodes;

    @Option(names = "--steps", defaultValue = "1500",
            description = "Length of the faulty phase in ticks of 10 virtual ms (default ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--inject-bug", paramLabel = "NAME",
            description = "Switch on a deliberate bug to show the checkers catch it; stops at the first violation. "
                    + "One of: commit-previous-term, forget-vote, stale-read, no-truncate, no-check-quorum, "
                    + "two-changes-at-once, lease-from-ack, lease-no-margin, lease-after-transfer, no-byte-budget, "
                    + "vote-after-data-loss, keep-stale-connections, txn-not-atomic, scan-skips-key.")
    String bug;

    @Override
    public Object command() {
        return new SimCommand();
    }

    @Override
    public Integer call() {
        if (nodes < 1 || nodes > 9) throw new IllegalArgumentException("--nodes must be between 1 and 9, got " + nodes);
        if (seeds < 1) throw new IllegalArgumentException("--seeds must be positive, got " + seeds);
        if (steps < 100) throw new IllegalArgumentException("--steps must be at least 100, got " + steps);
        Set<InjectedBug> bugs = bug == null ? Set.of() : Set.of(InjectedBug.fromFlag(bug));
        SimRunner.quietLogs();
        long t0 = System.nanoTime();
        SimRunner.Summary s = SimRunner.run(start, seeds, nodes, steps, bugs, bug != null, System.out);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.err.printf("%d client ops, %d events in %.1f s%n", s.ops(), s.events(), ms / 1000.0);
        if (bug != null) {
            System.out.println(s.violations() > 0
                    ? "bug " + bug + " caught at seed " + s.firstFailingSeed()
                    : "bug " + bug + " NOT caught in " + s.seeds() + " seeds");
        }
        System.out.println(s.line());
        return s.violations() > 0 ? 1 : 0;
    }
}
