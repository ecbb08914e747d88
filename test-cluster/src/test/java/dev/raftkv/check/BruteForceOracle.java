package dev.raftkv.check;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A deliberately naive linearizability check, straight from the definition, for cross-checking the real checker
 * on tiny histories: try every order of every admissible subset of ops.
 */
final class BruteForceOracle {

    private final List<Op> ops = new ArrayList<>();
    private final boolean[] placed;

    private BruteForceOracle(List<Op> history) {
        for (Op op : history) {
            boolean failed = op.effectiveOutcome() == Outcome.FAIL;
            boolean unansweredRead = op.kind() == OpKind.GET && op.effectiveOutcome() == Outcome.UNKNOWN;
            if (!failed && !unansweredRead) {
                ops.add(op);
            }
        }
        placed = new boolean[ops.size()];
    }

    /** Single-key histories only. */
    static boolean isLinearizable(List<Op> history) {
        BruteForceOracle oracle = new BruteForceOracle(history);
        return oracle.extend(null);
    }

    private boolean extend(String state) {
        boolean allRequiredPlaced = true;
        for (int i = 0; i < ops.size(); i++) {
            allRequiredPlaced &= placed[i] || ops.get(i).isPending();
        }
        if (allRequiredPlaced) {
            return true;
        }
        for (int i = 0; i < ops.size(); i++) {
            if (placed[i] || !mayGoNext(i)) {
                continue;
            }
            Op op = ops.get(i);
            String after;
            switch (op.kind()) {
                case PUT -> after = op.value();
                case GET -> {
                    if (!Objects.equals(state, op.value())) {
                        continue;
                    }
                    after = state;
                }
                case CAS -> {
                    boolean matches = Objects.equals(state, op.expect());
                    if (op.isPending()) {
                        after = matches ? op.value() : state;
                    } else if (op.casSucceeded() != matches) {
                        continue;
                    } else {
                        after = matches ? op.value() : state;
                    }
                }
                default -> throw new IllegalStateException();
            }
            placed[i] = true;
            boolean ok = extend(after);
            placed[i] = false;
            if (ok) {
                return true;
            }
        }
        return false;
    }

    /** No unplaced op finished strictly before this one started (pending ops never finish). */
    private boolean mayGoNext(int candidate) {
        long invoke = ops.get(candidate).invoke();
        for (int j = 0; j < ops.size(); j++) {
            Op other = ops.get(j);
            if (!placed[j] && j != candidate && !other.isPending() && other.complete() < invoke) {
                return false;
            }
        }
        return true;
    }
}
