package dev.raftkv.raft;

/**
 * What a node must remember across a crash before it says anything that depends on it:
 * its term, whom it voted for in that term (null: nobody), a commit hint, and whether it is
 * {@code repairing}: it found its log shorter than a commit hint it had made durable, so it lost
 * entries it may have acknowledged, and until a leader has given them back it must not vote or count
 * towards commit. Kept durable so that a crash in the middle of the repair does not end it: by then the
 * log may have grown past the old hint while still missing entries the node had acknowledged.
 */
public record HardState(long term, String votedFor, long commit, boolean repairing) {
    public static final HardState INITIAL = new HardState(0, null, 0, false);

    public HardState(long term, String votedFor, long commit) {
        this(term, votedFor, commit, false);
    }
}
