package dev.raftkv.check;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The ops of one key, reduced to what the register model needs. Values are interned to small ints so that model
 * states are cheap to compare and to cache.
 */
final class RegisterHistory {

    static final int ABSENT = 0;
    static final int ILLEGAL = -1;
    private static final int UNOBSERVABLE = 1;

    private static final byte WRITE = 0;        // PUT, answered or not
    private static final byte READ = 1;         // GET that returned
    private static final byte CAS_SWAPPED = 2;  // CAS that returned "swapped"
    private static final byte CAS_REFUSED = 3;  // CAS that returned "not swapped"
    private static final byte CAS_MAYBE = 4;    // CAS whose answer never arrived

    final List<Op> ops;
    private final byte[] kind;
    private final int[] value;
    private final int[] expect;
    private final boolean[] optional;
    private final long[] deadline;
    private final int[] twinBefore;
    private final List<String> names = new ArrayList<>();

    private RegisterHistory(List<Op> kept, List<PendingWrites.Plan> plans, PendingWrites analysis) {
        int n = kept.size();
        this.ops = List.copyOf(kept);
        this.kind = new byte[n];
        this.value = new int[n];
        this.expect = new int[n];
        this.optional = new boolean[n];
        this.deadline = new long[n];
        Map<String, Integer> ids = new HashMap<>();
        names.add(null);
        names.add(null); // UNOBSERVABLE
        for (int i = 0; i < n; i++) {
            Op op = kept.get(i);
            optional[i] = plans.get(i).optional();
            deadline[i] = plans.get(i).deadline();
            value[i] = intern(op.value(), ids, analysis);
            expect[i] = intern(op.expect(), ids, analysis);
            kind[i] = switch (op.kind()) {
                case PUT -> WRITE;
                case GET -> READ;
                case CAS -> op.isPending() ? CAS_MAYBE : op.casSucceeded() ? CAS_SWAPPED : CAS_REFUSED;
            };
        }
        this.twinBefore = findTwins();
    }

    /**
     * Drops what cannot constrain the history: FAIL ops never happened, a read without an answer has no effect and
     * no result to explain, and some pending writes provably do not matter (see {@link PendingWrites}).
     */
    static RegisterHistory of(List<Op> opsOfOneKey) {
        List<Op> candidates = new ArrayList<>();
        for (Op op : opsOfOneKey) {
            Outcome outcome = op.effectiveOutcome();
            boolean failed = outcome == Outcome.FAIL;
            boolean unansweredRead = op.kind() == OpKind.GET && outcome == Outcome.UNKNOWN;
            if (!failed && !unansweredRead) {
                candidates.add(op);
            }
        }
        PendingWrites analysis = new PendingWrites(candidates);
        List<Op> kept = new ArrayList<>();
        List<PendingWrites.Plan> plans = new ArrayList<>();
        for (Op op : candidates) {
            PendingWrites.Plan plan = analysis.planFor(op);
            if (plan.keep()) {
                kept.add(op);
                plans.add(plan);
            }
        }
        return new RegisterHistory(kept, plans, analysis);
    }

    /** Values that no op compares the state with all behave alike, so they share one id (and cache entries). */
    private int intern(String v, Map<String, Integer> ids, PendingWrites analysis) {
        if (v == null) {
            return ABSENT;
        }
        if (!analysis.isObservable(v)) {
            return UNOBSERVABLE;
        }
        return ids.computeIfAbsent(v, s -> {
            names.add(s);
            return names.size() - 1;
        });
    }

    /**
     * Optional ops with the same effect and deadline are interchangeable: in a linearization that uses one while an
     * earlier-invoked twin is unused, swapping the two keeps it valid. So the search only uses twins in invoke
     * order, which collapses 2^k subsets of k twins to k + 1.
     */
    private int[] findTwins() {
        int n = size();
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.<Integer>comparingLong(this::invoke).thenComparingInt(i -> i));
        int[] twins = new int[n];
        Arrays.fill(twins, -1);
        Map<List<Long>, Integer> lastOfKind = new HashMap<>();
        for (int op : order) {
            if (optional[op]) {
                List<Long> effect = List.of((long) kind[op], (long) value[op], (long) expect[op], deadline[op]);
                Integer previous = lastOfKind.put(effect, op);
                twins[op] = previous == null ? -1 : previous;
            }
        }
        return twins;
    }

    int size() {
        return ops.size();
    }

    /** An optional op may be linearized, or left out once its deadline has passed. */
    boolean isOptional(int op) {
        return optional[op];
    }

    long invoke(int op) {
        return ops.get(op).invoke();
    }

    /** When the op must have taken effect by: its completion, or a bound derived for a pending op (maybe never). */
    long deadline(int op) {
        return deadline[op];
    }

    /** An interchangeable optional op invoked earlier, which the search must use first; -1 if none. */
    int twinBefore(int op) {
        return twinBefore[op];
    }

    /** Applies {@code op} to register state {@code state}: the new state, or ILLEGAL if the op's result is impossible. */
    int step(int state, int op) {
        return switch (kind[op]) {
            case WRITE -> value[op];
            case READ -> state == value[op] ? state : ILLEGAL;
            case CAS_SWAPPED -> state == expect[op] ? value[op] : ILLEGAL;
            case CAS_REFUSED -> state != expect[op] ? state : ILLEGAL;
            case CAS_MAYBE -> state == expect[op] ? value[op] : state;
            default -> throw new IllegalStateException("kind " + kind[op]);
        };
    }

    String valueName(int state) {
        return state == UNOBSERVABLE ? "a value that no op reads or expects" : Op.quote(names.get(state));
    }
}
