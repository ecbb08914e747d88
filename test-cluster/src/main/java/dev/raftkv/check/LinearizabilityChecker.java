package dev.raftkv.check;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks that a history of put/get/CAS ops is linearizable with respect to a map of independent registers
 * (initially all absent).
 *
 * <p>Linearizability is compositional, so each key is checked on its own with {@link RegisterSearch}. Model:
 * <ul>
 *   <li>PUT: state := value. GET: must return the state. CAS that swapped: requires state == expect, then
 *       state := value. CAS that did not swap: requires state != expect.</li>
 *   <li>FAIL ops never happened and are dropped; so are GETs without an answer, which have no effect.</li>
 *   <li>An UNKNOWN PUT or CAS (or one with {@code complete == Long.MAX_VALUE}) may take effect at any point after its
 *       invoke, or never. If it takes effect, a CAS swaps only when state == expect.</li>
 *   <li>An op completing at time t is concurrent with an op invoked at t; real-time order needs complete &lt; invoke.</li>
 * </ul>
 *
 * <p>Histories that are linearizable are usually confirmed in time linear in their length. Proving that one is not
 * can take time exponential in the number of ops that overlap, pending ops above all (they overlap everything after
 * their invoke); that is what the budget is for.
 */
public final class LinearizabilityChecker {

    private LinearizabilityChecker() {
    }

    /**
     * Checks the keys in order of their first appearance in {@code history}.
     *
     * <p>The budget is shared by all keys and is only consulted every few hundred search steps, so keys that are
     * quick to check still get checked after it runs out; a NOT_LINEARIZABLE key found that way wins over an
     * earlier key that ran out of budget.
     *
     * @return the first NOT_LINEARIZABLE key; otherwise UNKNOWN (naming the first key that ran out of budget) if
     *         any key ran out; otherwise LINEARIZABLE
     */
    public static CheckResult check(List<Op> history, long budgetMillis) {
        long deadline = deadline(budgetMillis);
        Map<String, List<Op>> byKey = new LinkedHashMap<>();
        for (Op op : history) {
            byKey.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(op);
        }

        long opsChecked = 0;
        String timedOut = null;
        for (Map.Entry<String, List<Op>> entry : byKey.entrySet()) {
            RegisterHistory keyHistory = RegisterHistory.of(entry.getValue());
            RegisterSearch.Result result = RegisterSearch.run(keyHistory, deadline);
            opsChecked += keyHistory.size();
            switch (result.status()) {
                case FAIL -> {
                    String why = FailureReport.explain(entry.getKey(), keyHistory, result);
                    return new CheckResult(Verdict.NOT_LINEARIZABLE, entry.getKey(), why, opsChecked);
                }
                case TIMEOUT -> {
                    if (timedOut == null) {
                        timedOut = entry.getKey();
                    }
                }
                case OK -> {
                }
            }
        }
        if (timedOut != null) {
            String why = "ran out of the " + budgetMillis + " ms budget while checking key " + Op.quote(timedOut);
            return new CheckResult(Verdict.UNKNOWN, timedOut, why, opsChecked);
        }
        String summary = opsChecked + " ops over " + byKey.size() + " keys are linearizable";
        return new CheckResult(Verdict.LINEARIZABLE, null, summary, opsChecked);
    }

    private static long deadline(long budgetMillis) {
        long now = System.nanoTime();
        long budgetNanos = budgetMillis <= 0 ? 0
                : budgetMillis >= Long.MAX_VALUE / 1_000_000 ? Long.MAX_VALUE / 2 : budgetMillis * 1_000_000;
        return now + budgetNanos;
    }
}
