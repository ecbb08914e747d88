package dev.raftkv.check;

/**
 * Outcome of {@link LinearizabilityChecker#check}.
 *
 * @param verdict     the verdict for the whole history
 * @param key         the key that is not linearizable (or that ran out of budget), otherwise {@code null}
 * @param explanation human-readable; for {@link Verdict#NOT_LINEARIZABLE} it lists the ops around the point where
 *                    the search got stuck, one per line with their invoke/complete times
 * @param opsChecked  number of ops the search had to place, over all keys examined: FAIL ops, reads that did not
 *                    return, and pending writes that provably cannot matter are not counted
 */
public record CheckResult(Verdict verdict, String key, String explanation, long opsChecked) {

    public boolean isLinearizable() {
        return verdict == Verdict.LINEARIZABLE;
    }
}
