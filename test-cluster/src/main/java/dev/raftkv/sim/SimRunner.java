package dev.raftkv.sim;

import dev.raftkv.raft.InjectedBug;

import java.io.PrintStream;
import java.util.Set;

/** Runs many seeds and reports each failing one with its replay command; the last line is the summary. */
public final class SimRunner {
    /** What a batch of seeds found. */
    public record Summary(int seeds, int violations, long firstFailingSeed, long ops, long events) {
        public String line() {
            return "sim: " + seeds + " seeds, " + violations + " violations";
        }
    }

    private SimRunner() {
    }

    /**
     * @param stopAtFirst stop at the first failing seed (to show a checker catches an injected bug)
     */
    public static Summary run(long start, int seeds, int nodes, int ticks, Set<InjectedBug> bugs,
                              boolean stopAtFirst, PrintStream out) {
        int failed = 0;
        int ran = 0;
        long first = -1;
        long ops = 0;
        long events = 0;
        for (long seed = start; seed < start + seeds; seed++) {
            Simulation.Result r = Simulation.run(Simulation.Params.of(seed, nodes, ticks).withBugs(bugs));
            // an exception is a finding like any other: report it with its seed and go on
            ran++;
            ops += r.ops();
            events += r.events();
            if (!r.ok()) {
                failed++;
                if (first < 0) first = seed;
                out.print(r.report());
                if (stopAtFirst) break;
            }
        }
        return new Summary(ran, failed, first, ops, events);
    }

    /** The simulator's nodes log every role change; a run of thousands of seeds wants only warnings. */
    public static void quietLogs() {
        org.slf4j.Logger root = org.slf4j.LoggerFactory.getLogger("dev.raftkv");
        if (root instanceof ch.qos.logback.classic.Logger l) l.setLevel(ch.qos.logback.classic.Level.WARN);
    }

    public static void main(String[] args) {
        quietLogs();
        long start = Long.parseLong(args[0]);
        int seeds = Integer.parseInt(args[1]);
        int nodes = Integer.parseInt(args[2]);
        int ticks = Integer.parseInt(args[3]);
        Set<InjectedBug> bugs = args.length > 4 ? Set.of(InjectedBug.fromFlag(args[4])) : Set.of();
        long t0 = System.nanoTime();
        Summary s = run(start, seeds, nodes, ticks, bugs, args.length > 4, System.out);
        System.out.println(s.line() + " (" + s.ops() + " ops, " + s.events() + " events, "
                + (System.nanoTime() - t0) / 1_000_000 + " ms)");
    }
}
