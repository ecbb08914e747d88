package dev.raftkv.raft.server;

/** A promotion refused because the learner is still catching up: nothing changed, ask again later. */
public final class LearnerBehindException extends NotAppliedException {
    public LearnerBehindException(String message, String leaderHint) {
        super(message, leaderHint);
    }
}
