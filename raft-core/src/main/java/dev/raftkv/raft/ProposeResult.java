package dev.raftkv.raft;

/** What {@link RaftNode#propose} says straight away. Acceptance is no promise: the entry may still be lost. */
public sealed interface ProposeResult {
    /** Appended to the leader's log at this index and term; it commits if that entry survives. */
    record Accepted(long index, long term) implements ProposeResult {
    }

    /** Not appended. {@code leaderHint} is the leader this node knows of, or null. */
    record Rejected(String reason, String leaderHint) implements ProposeResult {
    }

    /** Not appended, and asking again will not help: the request contradicts the state (e.g. an unknown member). */
    record Invalid(String reason) implements ProposeResult {
    }
}
