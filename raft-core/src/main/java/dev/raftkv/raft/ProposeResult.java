package dev.raftkv.raft;

/** What {@link RaftNode#propose} says straight away. Acceptance is no promise: the entry may still be lost. */
public sealed interface ProposeResult {
    /** Appended to the leader's log at this index and term; it commits if that entry survives. */
    record Accepted(long index, long term) implements ProposeResult {
    }

    /** Not appended. {@code leaderHint} is the leader this node knows of, or null. */
    record Rejected(String reason, String leaderHint) implements ProposeResult {
    }

    /**
     * Not appended: this node does not lead and knows no leader. {@code reachableVoters} of {@code voters}
     * (this node counted if it votes) were heard from within the last election timeout: fewer than a
     * majority means no leader can be elected until more come back; a majority means an election is under way.
     */
    record NoLeader(int reachableVoters, int voters) implements ProposeResult {
    }

    /** Not appended, and asking again will not help: the request contradicts the state. */
    record Invalid(String reason) implements ProposeResult {
    }

    /** Not appended, and asking again will not help: the change names a node that is not a member. */
    record UnknownMember(String id) implements ProposeResult {
    }

    /** A promotion not appended because the learner is still catching up: ask again once it has. */
    record LearnerBehind(String reason, String leaderHint) implements ProposeResult {
    }
}
