package dev.raftkv.check;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Finds acknowledged writes that the store's final state contradicts. Cheaper and less precise than
 * {@link LinearizabilityChecker}, but it needs only the final values, read once the cluster has quiesced.
 *
 * <p>Terms, per key:
 * <ul>
 *   <li>An <em>acknowledged write</em> W is a PUT with outcome OK, or a CAS with outcome OK that swapped.</li>
 *   <li>A <em>possible write</em> is a PUT with outcome OK or UNKNOWN, or a CAS that swapped (outcome OK) or whose
 *       outcome is UNKNOWN. FAIL ops and CASes that reported "not swapped" are never possible writes. An op with
 *       {@code complete == Long.MAX_VALUE} counts as UNKNOWN.</li>
 *   <li>The final value F is {@code finalValues.get(key)}; a key missing from the map is taken to be absent
 *       ({@code null}).</li>
 * </ul>
 *
 * <p>Rule: W is reported lost iff F differs from the value of every possible write C to the same key with
 * {@code C.complete >= W.invoke} (UNKNOWN ops count as completing at infinity). W itself is such a C, so W is never
 * reported when F equals its value.
 *
 * <p>This is sound for a linearizable store: W took effect at some point at or after W.invoke, so the last write
 * to take effect on the key did so at or after W.invoke, and hence completed (if ever) no earlier than that.
 */
public final class LostWriteChecker {

    private LostWriteChecker() {
    }

    /** @return one description per lost write, in history order; empty if none */
    public static List<String> check(List<Op> history, Map<String, String> finalValues) {
        List<String> lost = new ArrayList<>();
        for (Op w : history) {
            if (!isAcknowledgedWrite(w)) {
                continue;
            }
            String finalValue = finalValues.get(w.key());
            if (!explainedByLaterWrite(history, w, finalValue)) {
                lost.add("lost write: " + w.describe() + " was acknowledged, but the final value of "
                        + Op.quote(w.key()) + " is " + Op.quote(finalValue)
                        + ", which no write completing at or after " + w.invoke() + " could have left");
            }
        }
        return lost;
    }

    private static boolean explainedByLaterWrite(List<Op> history, Op w, String finalValue) {
        for (Op c : history) {
            if (c.key().equals(w.key()) && isPossibleWrite(c) && completion(c) >= w.invoke()
                    && Objects.equals(c.value(), finalValue)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isAcknowledgedWrite(Op op) {
        if (op.effectiveOutcome() != Outcome.OK) {
            return false;
        }
        return op.kind() == OpKind.PUT || (op.kind() == OpKind.CAS && op.casSucceeded());
    }

    private static boolean isPossibleWrite(Op op) {
        return switch (op.kind()) {
            case GET -> false;
            case PUT -> op.effectiveOutcome() != Outcome.FAIL;
            case CAS -> switch (op.effectiveOutcome()) {
                case OK -> op.casSucceeded();
                case UNKNOWN -> true;
                case FAIL -> false;
            };
        };
    }

    private static long completion(Op op) {
        return op.isPending() ? Long.MAX_VALUE : op.complete();
    }
}
