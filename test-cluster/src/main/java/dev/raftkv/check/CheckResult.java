package dev.raftkv.check;

/**
 * Outcome of {@link LinearizabilityChecker#check}.
 *
 * @param verdict     the verdict for the whole history
 * @param key         the key that is not linearizable (or that ran out of budget), otherwise {@code null}
 * @param explanation human-readable; for {@link Verdict#NOT_LINEARIZABLE} it lists the ops around the point where
 *                    the search got stuck, one per line with their invoke/complete times
 * @param opsChecked  number of ops fed to the search (FAIL ops and reads that did not return are not counted) over
 *                    all keys that were examined
 */
public record CheckResult(Verdict verdict, String key, String explanation, long opsChecked) {

    public boolean isLinearizable() {
        return verdict == Verdict.LINEARIZABLE;
    }
}
