package dev.raftkv.node;

import dev.raftkv.raft.InjectedBug;

import java.util.Set;

/**
 * Deliberate breakage for the verifier's controls ({@code raftkv verify --control ...}): they exist
 * only to show that the checkers catch a node that serves stale reads or acknowledges writes before
 * they are durable. {@link #NONE} in every real deployment.
 *
 * @param bugs           protocol bugs to switch on in the core
 * @param localReads     "linearizable" reads are answered from the receiving node's own state, no ReadIndex
 * @param eagerAckMillis if positive, writes are acknowledged at once and written to the log only every
 *                       this many milliseconds
 */
public record UnsafeControls(Set<InjectedBug> bugs, boolean localReads, long eagerAckMillis) {
    public static final UnsafeControls NONE = new UnsafeControls(Set.of(), false, 0);

    public boolean any() {
        return !bugs.isEmpty() || localReads || eagerAckMillis > 0;
    }
}
