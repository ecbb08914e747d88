package dev.raftkv.check;

import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Set;

/**
 * Wing &amp; Gong's search for a linearization of one register's history, with Lowe's cache of already-explored
 * (linearized set, state) configurations.
 *
 * <p>The history is a doubly linked list of call and return events in time order. The search repeatedly tries to
 * linearize an op whose call is still in the list, removing ("lifting") its call and return; when it reaches a
 * return whose op is not yet linearized, no linearization of the current prefix can work, so it undoes the most
 * recent choice. The explicit stack keeps deep histories off the Java call stack.
 */
final class RegisterSearch {

    enum Status { OK, FAIL, TIMEOUT }

    /**
     * @param stuckOp    the op whose return the search could not get past, furthest along in time; -1 if none
     * @param stuckState the register state on the deepest path at that point
     */
    record Result(Status status, int stuckOp, int stuckState, long steps) {
    }

    private static final int DEADLINE_CHECK_MASK = 0xFF;

    private final RegisterHistory history;
    private final int head;
    private final int tail;
    // Entry e describes op e >> 1: even e is its call, odd e its return.
    private final int[] next;
    private final int[] prev;
    private final int[] rank;

    private RegisterSearch(RegisterHistory history) {
        this.history = history;
        int entries = 2 * history.size();
        head = entries;
        tail = entries + 1;
        next = new int[entries + 2];
        prev = new int[entries + 2];
        rank = new int[entries];
        Integer[] order = new Integer[entries];
        for (int e = 0; e < entries; e++) {
            order[e] = e;
        }
        // At equal times calls sort first, so an op completing at t overlaps one invoked at t.
        Arrays.sort(order, Comparator.<Integer>comparingLong(this::time)
                .thenComparingInt(e -> e & 1)
                .thenComparingInt(e -> e));
        int last = head;
        for (int pos = 0; pos < entries; pos++) {
            int e = order[pos];
            rank[e] = pos;
            next[last] = e;
            prev[e] = last;
            last = e;
        }
        next[last] = tail;
        prev[tail] = last;
    }

    static Result run(RegisterHistory history, long deadlineNanos) {
        return new RegisterSearch(history).search(deadlineNanos);
    }

    private long time(int entry) {
        int op = entry >> 1;
        return (entry & 1) == 0 ? history.invoke(op) : history.complete(op);
    }

    private Result search(long deadlineNanos) {
        int n = history.size();
        int required = 0;
        for (int op = 0; op < n; op++) {
            if (!history.isOptional(op)) {
                required++;
            }
        }
        int[] stackCall = new int[n];
        int[] stackState = new int[n];
        int depth = 0;
        BitSet linearized = new BitSet(n);
        Set<Configuration> seen = new HashSet<>();
        int state = RegisterHistory.ABSENT;
        int stuckOp = -1;
        int stuckState = state;
        long steps = 0;

        int e = next[head];
        while (required > 0) {
            if ((++steps & DEADLINE_CHECK_MASK) == 0 && System.nanoTime() - deadlineNanos >= 0) {
                return new Result(Status.TIMEOUT, stuckOp, stuckState, steps);
            }
            int op = e >> 1;
            if ((e & 1) == 0) {
                int after = history.step(state, op);
                boolean progress = false;
                if (after != RegisterHistory.ILLEGAL) {
                    linearized.set(op);
                    progress = seen.add(new Configuration(linearized, after));
                    if (!progress) {
                        linearized.clear(op);
                    }
                }
                if (progress) {
                    stackCall[depth] = e;
                    stackState[depth] = state;
                    depth++;
                    state = after;
                    lift(e);
                    if (!history.isOptional(op)) {
                        required--;
                    }
                    e = next[head];
                } else {
                    e = next[e];
                }
            } else {
                // A return of an op not linearized yet: every op still before it has been tried here.
                if (stuckOp < 0 || rank[e] > rank[2 * stuckOp + 1]) {
                    stuckOp = op;
                    stuckState = state;
                }
                if (depth == 0) {
                    return new Result(Status.FAIL, stuckOp, stuckState, steps);
                }
                depth--;
                int call = stackCall[depth];
                state = stackState[depth];
                linearized.clear(call >> 1);
                if (!history.isOptional(call >> 1)) {
                    required++;
                }
                unlift(call);
                e = next[call];
            }
        }
        // Ops still pending can all be placed after everything else, where they are harmless.
        return new Result(Status.OK, -1, state, steps);
    }

    private void lift(int call) {
        unlink(call);
        unlink(call + 1);
    }

    private void unlift(int call) {
        relink(call + 1);
        relink(call);
    }

    private void unlink(int e) {
        next[prev[e]] = next[e];
        prev[next[e]] = prev[e];
    }

    private void relink(int e) {
        next[prev[e]] = e;
        prev[next[e]] = e;
    }

    /** A set of linearized ops with the state they leave; reaching it again cannot lead anywhere new. */
    private static final class Configuration {
        private final BitSet linearized;
        private final int state;
        private final int hash;

        Configuration(BitSet linearized, int state) {
            this.linearized = (BitSet) linearized.clone();
            this.state = state;
            this.hash = linearized.hashCode() * 31 + state;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Configuration c && c.hash == hash && c.state == state
                    && c.linearized.equals(linearized);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }
}
