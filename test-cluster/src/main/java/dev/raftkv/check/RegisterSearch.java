package dev.raftkv.check;

import java.util.Arrays;
import java.util.Comparator;

/**
 * Wing &amp; Gong's search for a linearization of one register's history, with Lowe's cache of already-explored
 * configurations (ops done, state).
 *
 * <p>The history is a doubly linked list of call and return events in time order (a return is an op's deadline).
 * The search repeatedly tries to linearize an op whose call is still in the list, removing ("lifting") its call and
 * return; when it reaches the return of a required op that is not yet linearized, no linearization of the current
 * prefix can work, so it undoes the most recent choice. An optional op whose return is reached is left out instead,
 * which is also lifted: for what comes after, an op left out and an op linearized are both just "done". The explicit
 * stack keeps deep histories off the Java call stack.
 */
final class RegisterSearch {

    enum Status { OK, FAIL, TIMEOUT }

    /**
     * @param stuckOp    the op whose return the search could not get past, furthest along in time; -1 if none
     * @param stuckState the register state on the deepest path at that point
     */
    record Result(Status status, int stuckOp, int stuckState, long steps) {
    }

    /**
     * Optional ops make the two directions hard in different ways. Linearizing them eagerly, in time order, finds
     * a linearization quickly when there is one, since pending ops usually took effect soon after their invoke.
     * Proving there is none means visiting every subset of them, unless the search tries required ops first and
     * optional ones only when stuck, which lets it skip configurations that merely have more optional ops done.
     */
    enum Strategy { EAGER, LAZY }

    private static final int DEADLINE_CHECK_MASK = 0xFF;
    private static final long UNLIMITED = Long.MAX_VALUE;

    private final RegisterHistory history;
    private final Strategy strategy;
    private final int head;
    private final int tail;
    // Entry e describes op e >> 1: even e is its call, odd e its return.
    private final int[] next;
    private final int[] prev;
    private final int[] rank;
    private final ExploredConfigurations explored;

    private RegisterSearch(RegisterHistory history, Strategy strategy) {
        this.history = history;
        this.strategy = strategy;
        this.explored = new ExploredConfigurations(history, strategy == Strategy.LAZY);
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

    /** Alternates the two strategies with growing step allowances, so neither can starve the other. */
    static Result run(RegisterHistory history, long deadlineNanos) {
        long allowance = 1_000L * history.size() + 10_000;
        long steps = 0;
        while (true) {
            for (Strategy strategy : Strategy.values()) {
                Result r = new RegisterSearch(history, strategy).search(deadlineNanos, allowance);
                steps += r.steps();
                if (r.status() != null) {
                    return new Result(r.status(), r.stuckOp(), r.stuckState(), steps);
                }
            }
            allowance = allowance > UNLIMITED / 4 ? UNLIMITED : allowance * 4;
        }
    }

    /** One strategy on its own, with no step allowance; for tests. */
    static Result runOnly(RegisterHistory history, Strategy strategy, long deadlineNanos) {
        return new RegisterSearch(history, strategy).search(deadlineNanos, UNLIMITED);
    }

    private long time(int entry) {
        int op = entry >> 1;
        return (entry & 1) == 0 ? history.invoke(op) : history.deadline(op);
    }

    /** @return the result, with a null status if the step allowance ran out first */
    private Result search(long deadlineNanos, long allowance) {
        int n = history.size();
        int required = 0;
        for (int op = 0; op < n; op++) {
            if (!history.isOptional(op)) {
                required++;
            }
        }
        int[] stackCall = new int[n];
        int[] stackState = new int[n];
        boolean[] stackOmitted = new boolean[n];
        ExploredConfigurations.Visit[] stackVisit = new ExploredConfigurations.Visit[n];
        int depth = 0;
        int state = RegisterHistory.ABSENT;
        int stuckOp = -1;
        int stuckState = state;
        long steps = 0;

        boolean lazy = strategy == Strategy.LAZY;
        boolean optionalPass = false;
        int e = next[head];
        while (required > 0) {
            if ((++steps & DEADLINE_CHECK_MASK) == 0 && System.nanoTime() - deadlineNanos >= 0) {
                return new Result(Status.TIMEOUT, stuckOp, stuckState, steps);
            }
            if (steps > allowance) {
                return new Result(null, stuckOp, stuckState, steps);
            }
            int op = e >> 1;
            boolean isCall = (e & 1) == 0;
            if (isCall) {
                int twin = history.twinBefore(op);
                boolean wrongPass = lazy && history.isOptional(op) != optionalPass;
                if (wrongPass || (twin >= 0 && !explored.isDone(twin))) {
                    e = next[e];
                    continue;
                }
            } else if (lazy && !optionalPass) {
                optionalPass = true;
                e = next[head];
                continue;
            }
            if (isCall || history.isOptional(op)) {
                // At a call, try to linearize the op here. At the deadline of an optional op that has not been
                // linearized, every earlier placement was tried, so all that is left is to leave it out.
                int after = isCall ? history.step(state, op) : state;
                // An optional op that would change nothing is as good as left out, which happens at its deadline.
                boolean pointless = isCall && after == state && history.isOptional(op);
                ExploredConfigurations.Visit visit = after == RegisterHistory.ILLEGAL || pointless ? null : explored.enter(op, after);
                if (visit != null) {
                    stackVisit[depth] = visit;
                    stackCall[depth] = op << 1;
                    stackState[depth] = state;
                    stackOmitted[depth] = !isCall;
                    depth++;
                    state = after;
                    lift(op << 1);
                    if (!history.isOptional(op)) {
                        required--;
                    }
                    optionalPass = false;
                    e = next[head];
                    continue;
                }
                if (isCall) {
                    e = next[e];
                    continue;
                }
            } else if (stuckOp < 0 || rank[e] > rank[2 * stuckOp + 1]) {
                stuckOp = op;
                stuckState = state;
            }
            // Every op still before this return has been tried here: undo choices back to the last real one.
            boolean omitted;
            int call;
            do {
                if (depth == 0) {
                    return new Result(Status.FAIL, stuckOp, stuckState, steps);
                }
                depth--;
                call = stackCall[depth];
                omitted = stackOmitted[depth];
                state = stackState[depth];
                explored.leave(call >> 1, stackVisit[depth]);
                stackVisit[depth] = null;
                if (!history.isOptional(call >> 1)) {
                    required++;
                }
                unlift(call);
            } while (omitted);
            optionalPass = lazy && history.isOptional(call >> 1);
            e = next[call];
        }
        // Optional ops still undecided can be left out.
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
}
