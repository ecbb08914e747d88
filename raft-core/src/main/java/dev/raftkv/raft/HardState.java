package dev.raftkv.raft;

/**
 * What a node must remember across a crash before it says anything that depends on it:
 * its term, whom it voted for in that term (null: nobody), and a commit hint.
 */
public record HardState(long term, String votedFor, long commit) {
    public static final HardState INITIAL = new HardState(0, null, 0);
}
