package dev.raftkv.check;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Narrows pending (UNKNOWN) writes of one key before the search. Left alone, a pending write stays a candidate until
 * the end of the history, so the search keeps re-deciding whether it happened at every later point; with a few dozen
 * of them, refuting a bad history becomes exponential. Each rule below changes the history into one that is
 * linearizable exactly when the original is. Let u be a pending write (PUT, or CAS with no answer) of value x.
 *
 * <ol>
 *   <li><b>Sole source of an observed value.</b> If x is not absent, no other op writes x, and some answered op
 *       observes x (a GET returning x, or a CAS that swapped expecting x), then u must precede the first such
 *       observer: u becomes a required op that returns when that observer does (never before u's invoke).</li>
 *   <li><b>Unobserved.</b> If no GET returns x and no CAS that swapped or may have swapped expects x, then between
 *       u and the next write only CASes that did not swap can have taken effect, and only a refusal (an answered
 *       CAS that did not swap) can tell x from the previous value. Without a refusal there, u and the pending
 *       CASes there can be left out. So u must happen before the last refusal completes, or is dropped if no
 *       refusal completes at or after its invoke.</li>
 * </ol>
 * The rules depend only on which ops exist and what answered ops returned, never on what was decided for other
 * pending writes, so applying them to all pending writes at once is the same as applying them one by one.
 *
 * <p>Separately, {@link #isObservable} tells which values any op compares the state with: the model cannot tell
 * apart values that none does.
 */
final class PendingWrites {

    /** How the search should treat one op: whether it must be linearized, and by when. */
    record Plan(boolean keep, boolean optional, long deadline) {
        static final Plan DROP = new Plan(false, true, Long.MAX_VALUE);
    }

    private final Map<String, Integer> writers = new HashMap<>();
    private final Map<String, Long> firstObserverCompletes = new HashMap<>();
    private final Set<String> maybeObserved = new HashSet<>();
    private final Set<String> compared = new HashSet<>();
    private long lastRefusalCompletes = Long.MIN_VALUE;

    /** @param ops the ops of one key, without FAIL ops and unanswered reads */
    PendingWrites(List<Op> ops) {
        for (Op op : ops) {
            boolean pending = op.isPending();
            if (op.kind() == OpKind.PUT || (op.kind() == OpKind.CAS && (pending || op.casSucceeded()))) {
                writers.merge(op.value(), 1, Integer::sum);
            }
            if (op.kind() == OpKind.GET) {
                observe(op.value(), op.complete());
            }
            if (op.kind() == OpKind.CAS) {
                compared.add(op.expect());
                if (pending) {
                    maybeObserved.add(op.expect());
                } else if (op.casSucceeded()) {
                    observe(op.expect(), op.complete());
                } else {
                    lastRefusalCompletes = Math.max(lastRefusalCompletes, op.complete());
                }
            }
        }
    }

    private void observe(String value, long complete) {
        maybeObserved.add(value);
        compared.add(value);
        firstObserverCompletes.merge(value, complete, Math::min);
    }

    /** Whether some op's legality or effect depends on whether the state equals {@code value}. */
    boolean isObservable(String value) {
        return compared.contains(value);
    }

    Plan planFor(Op op) {
        if (!op.isPending()) {
            return new Plan(true, false, op.complete());
        }
        String x = op.value();
        Long observed = firstObserverCompletes.get(x);
        if (x != null && observed != null && Objects.equals(writers.get(x), 1)) {
            return new Plan(true, false, Math.max(observed, op.invoke()));
        }
        if (!maybeObserved.contains(x)) {
            return lastRefusalCompletes >= op.invoke() ? new Plan(true, true, lastRefusalCompletes) : Plan.DROP;
        }
        return new Plan(true, true, Long.MAX_VALUE);
    }
}
