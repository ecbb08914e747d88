package dev.raftkv.node;

import dev.raftkv.raft.InjectedBug;

import java.util.Set;

/**
 * Deliberate breakage for the verifier's controls ({@code raftkv verify --control ...}): they exist
 * only to show that the checkers catch a node that serves stale reads or acknowledges writes before
 * they are durable, and to let the verifier's clock nemesis make a node's clock run fast or slow.
 * {@link #NONE} in every real deployment.
 *
 * @param bugs           protocol bugs to switch on in the core
 * @param localReads     "linearizable" reads are answered from the receiving node's own state, no ReadIndex
 * @param eagerAckMillis if positive, writes are acknowledged at once and written to the log only every
 *                       this many milliseconds
 * @param clockControl   the node's timers run on a {@link SkewedClockLoop} whose rate
 *                       {@code POST /v1/unsafe/clock} sets (the endpoint exists only with this switch)
 */
public record UnsafeControls(Set<InjectedBug> bugs, boolean localReads, long eagerAckMillis, boolean clockControl) {
    public static final UnsafeControls NONE = new UnsafeControls(Set.of(), false, 0, false);

    public boolean any() {
        return !bugs.isEmpty() || localReads || eagerAckMillis > 0 || clockControl;
    }

    /** The switches that are on, as their flags name them (what the node's status shows). */
    public java.util.List<String> names() {
        java.util.List<String> out = new java.util.ArrayList<>();
        bugs.forEach(b -> out.add("inject-bug " + b.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-')));
        if (localReads) out.add("local-reads");
        if (eagerAckMillis > 0) out.add("eager-ack-ms " + eagerAckMillis);
        if (clockControl) out.add("clock-control");
        return out;
    }
}
