package dev.raftkv.check;

import java.util.Objects;

/**
 * One client operation on one key, as observed by the client.
 *
 * @param process      the client that issued it (only used in explanations)
 * @param key          the key it touched
 * @param kind         PUT, GET or CAS
 * @param value        PUT's value, CAS's new value, or GET's returned value ({@code null} = key absent)
 * @param expect       CAS's expected value ({@code null} = expect the key to be absent); unused otherwise
 * @param casSucceeded for a CAS with outcome OK, whether it swapped; unused otherwise
 * @param invoke       when the client sent it
 * @param complete     when the client got the answer; {@link Long#MAX_VALUE} if it never did
 * @param outcome      OK, FAIL, or UNKNOWN; an op with {@code complete == Long.MAX_VALUE} is treated as UNKNOWN
 */
public record Op(int process, String key, OpKind kind, String value, String expect, boolean casSucceeded,
                 long invoke, long complete, Outcome outcome) {

    public static final long NEVER = Long.MAX_VALUE;

    public Op {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(outcome, "outcome");
        if (complete < invoke) {
            throw new IllegalArgumentException("complete " + complete + " before invoke " + invoke);
        }
    }

    public static Op put(int process, String key, String value, long invoke, long complete, Outcome outcome) {
        return new Op(process, key, OpKind.PUT, value, null, false, invoke, complete, outcome);
    }

    /** A PUT whose answer never arrived. */
    public static Op putUnknown(int process, String key, String value, long invoke) {
        return put(process, key, value, invoke, NEVER, Outcome.UNKNOWN);
    }

    public static Op get(int process, String key, String returned, long invoke, long complete, Outcome outcome) {
        return new Op(process, key, OpKind.GET, returned, null, false, invoke, complete, outcome);
    }

    public static Op cas(int process, String key, String expect, String value, boolean succeeded,
                         long invoke, long complete, Outcome outcome) {
        return new Op(process, key, OpKind.CAS, value, expect, succeeded, invoke, complete, outcome);
    }

    /** A CAS whose answer never arrived. */
    public static Op casUnknown(int process, String key, String expect, String value, long invoke) {
        return cas(process, key, expect, value, false, invoke, NEVER, Outcome.UNKNOWN);
    }

    /** True if the client never learned whether the op took effect. */
    public boolean isPending() {
        return outcome == Outcome.UNKNOWN || complete == NEVER;
    }

    /** The outcome the checkers use: an op that never completed is UNKNOWN whatever its recorded outcome. */
    public Outcome effectiveOutcome() {
        return isPending() ? Outcome.UNKNOWN : outcome;
    }

    /** One line for reports, e.g. {@code p3 CAS k "a" -> "b" (swapped) [10, 25] OK}. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        sb.append('p').append(process).append(' ').append(kind).append(' ').append(key);
        switch (kind) {
            case PUT -> sb.append(" := ").append(quote(value));
            case GET -> {
                if (effectiveOutcome() == Outcome.OK) {
                    sb.append(" -> ").append(quote(value));
                }
            }
            case CAS -> {
                sb.append(' ').append(quote(expect)).append(" -> ").append(quote(value));
                if (effectiveOutcome() == Outcome.OK) {
                    sb.append(casSucceeded ? " (swapped)" : " (not swapped)");
                }
            }
        }
        sb.append(" [").append(invoke).append(", ");
        sb.append(complete == NEVER ? "inf)" : complete + "]");
        sb.append(' ').append(effectiveOutcome());
        return sb.toString();
    }

    static String quote(String v) {
        return v == null ? "absent" : '"' + v + '"';
    }
}
