package dev.raftkv.check;

import java.util.ArrayList;
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

    private static final byte WRITE = 0;        // PUT, or a pending PUT
    private static final byte READ = 1;         // GET that returned
    private static final byte CAS_SWAPPED = 2;  // CAS that returned "swapped"
    private static final byte CAS_REFUSED = 3;  // CAS that returned "not swapped"
    private static final byte CAS_MAYBE = 4;    // CAS whose answer never arrived

    final List<Op> ops;
    private final byte[] kind;
    private final int[] value;
    private final int[] expect;
    private final boolean[] optional;
    private final List<String> names = new ArrayList<>();

    private RegisterHistory(List<Op> kept) {
        int n = kept.size();
        this.ops = List.copyOf(kept);
        this.kind = new byte[n];
        this.value = new int[n];
        this.expect = new int[n];
        this.optional = new boolean[n];
        Map<String, Integer> ids = new HashMap<>();
        names.add(null);
        for (int i = 0; i < n; i++) {
            Op op = kept.get(i);
            optional[i] = op.isPending();
            value[i] = intern(op.value(), ids);
            expect[i] = intern(op.expect(), ids);
            kind[i] = switch (op.kind()) {
                case PUT -> WRITE;
                case GET -> READ;
                case CAS -> optional[i] ? CAS_MAYBE : op.casSucceeded() ? CAS_SWAPPED : CAS_REFUSED;
            };
        }
    }

    /**
     * Drops what cannot constrain the history: FAIL ops never happened, and a read without an answer has no
     * effect and no result to explain.
     */
    static RegisterHistory of(List<Op> opsOfOneKey) {
        List<Op> kept = new ArrayList<>();
        for (Op op : opsOfOneKey) {
            Outcome outcome = op.effectiveOutcome();
            boolean failed = outcome == Outcome.FAIL;
            boolean unansweredRead = op.kind() == OpKind.GET && outcome == Outcome.UNKNOWN;
            if (!failed && !unansweredRead) {
                kept.add(op);
            }
        }
        return new RegisterHistory(kept);
    }

    private int intern(String v, Map<String, Integer> ids) {
        if (v == null) {
            return ABSENT;
        }
        return ids.computeIfAbsent(v, s -> {
            names.add(s);
            return names.size() - 1;
        });
    }

    int size() {
        return ops.size();
    }

    /** Pending ops may take effect at any time after their invoke, or never; nothing waits for their return. */
    boolean isOptional(int op) {
        return optional[op];
    }

    long invoke(int op) {
        return ops.get(op).invoke();
    }

    /** Pending ops return "at infinity", which places them after every other event. */
    long complete(int op) {
        return optional[op] ? Long.MAX_VALUE : ops.get(op).complete();
    }

    /** Applies {@code op} to register state {@code state}; returns the new state, or ILLEGAL if the op's result is impossible. */
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
        return Op.quote(names.get(state));
    }
}
