package dev.raftkv.check;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks {@code consistency=local} reads, which may be stale and so are left out of the linearizability
 * check, for the two promises they do make:
 * <ul>
 *   <li>a value read was written by an operation that may have taken effect: not one the client was told
 *       failed (503, definitely not applied), and not one nobody wrote;</li>
 *   <li>one node's answers never go backwards: a read that begins after another read at the same node
 *       completed never returns a value whose write is known to come before the earlier read's value
 *       (it completed before that one was invoked), nor "absent" after a value (the workload never deletes).</li>
 * </ul>
 * A node that restarts rebuilds its state from its snapshot and log and may answer from behind what it
 * answered before the crash, so the second check holds within each life of a node: {@code restarts} gives
 * each node's restart times, and reads are compared only within one life. Written values must be unique.
 */
public final class LocalReadChecker {
    /** One local read: sent to {@code node}, answered with {@code value} (null = absent). */
    public record LocalRead(String node, int process, String key, String value, long invoke, long complete) {
        String describe() {
            return "p" + process + " local GET " + key + " at " + node + " -> " + (value == null ? "absent" : "\"" + value + "\"")
                    + " [" + invoke + ", " + complete + "]";
        }
    }

    public record Result(int checked, List<String> violations) {
        public boolean ok() {
            return violations.isEmpty();
        }
    }

    private LocalReadChecker() {
    }

    /**
     * @param writes   every put and CAS of the run (outcomes as the clients saw them)
     * @param reads    the local reads that got an answer
     * @param restarts each node's restart times, on the same clock as the operations
     */
    public static Result check(List<Op> writes, List<LocalRead> reads, Map<String, List<Long>> restarts) {
        Map<String, Op> writerOf = new HashMap<>();
        for (Op w : writes) {
            if (w.kind() != OpKind.GET && w.value() != null) writerOf.put(w.key() + "\u0000" + w.value(), w);
        }
        List<String> violations = new ArrayList<>();
        for (LocalRead r : reads) {
            if (r.value() == null) continue;
            Op w = writerOf.get(r.key() + "\u0000" + r.value());
            if (w == null) {
                violations.add(r.describe() + ": nobody wrote that value");
            } else if (!mayHaveTakenEffect(w)) {
                violations.add(r.describe() + ": its write was answered as not applied: " + w.describe());
            }
        }
        Map<String, List<LocalRead>> byLife = new HashMap<>();
        for (LocalRead r : reads) {
            byLife.computeIfAbsent(r.node() + "\u0000" + r.key() + "\u0000" + life(restarts.get(r.node()), r), k -> new ArrayList<>()).add(r);
        }
        for (List<LocalRead> life : byLife.values()) {
            life.sort(Comparator.comparingLong(LocalRead::invoke));
            for (int j = 0; j < life.size(); j++) {
                LocalRead later = life.get(j);
                for (int i = 0; i < j; i++) {
                    LocalRead earlier = life.get(i);
                    if (earlier.complete() >= later.invoke()) continue; // overlapping: either order is fine
                    String why = wentBack(earlier, later, writerOf);
                    if (why != null) {
                        violations.add("went backwards at " + later.node() + ": " + earlier.describe() + ", then "
                                + later.describe() + " (" + why + ")");
                        break;
                    }
                }
            }
        }
        return new Result(reads.size(), List.copyOf(violations));
    }

    private static boolean mayHaveTakenEffect(Op w) {
        if (w.effectiveOutcome() == Outcome.FAIL) return false;
        return !(w.kind() == OpKind.CAS && w.effectiveOutcome() == Outcome.OK && !w.casSucceeded());
    }

    /** Which life of its node a read fell in: how many restarts came before it was invoked. */
    private static int life(List<Long> restartTimes, LocalRead r) {
        if (restartTimes == null) return 0;
        int n = 0;
        for (long t : restartTimes) {
            if (t <= r.invoke()) n++;
        }
        // a read that overlaps a restart cannot be placed in one life; it counts in the one it began in
        return n;
    }

    private static String wentBack(LocalRead earlier, LocalRead later, Map<String, Op> writerOf) {
        if (earlier.value() == null) return null;
        if (later.value() == null) return "absent after a value, and nothing deletes";
        if (later.value().equals(earlier.value())) return null;
        Op newer = writerOf.get(earlier.key() + "\u0000" + earlier.value());
        Op older = writerOf.get(later.key() + "\u0000" + later.value());
        if (newer == null || older == null) return null; // reported above
        if (older.complete() != Op.NEVER && older.complete() < newer.invoke()) {
            return "the write of \"" + later.value() + "\" completed before the write of \"" + earlier.value() + "\" began";
        }
        return null;
    }
}
