package dev.raftkv.raft.server;

/**
 * The request definitely did not take effect and may be retried: this node does not lead, the
 * leadership was lost before a read was confirmed, or the proposed entry was replaced by another.
 * {@code leaderHint} names the leader this node knows of, or is null. {@link NoLeaderException} is the case
 * of a node that knows no leader.
 */
public class NotAppliedException extends RuntimeException {
    private final String leaderHint;

    public NotAppliedException(String message, String leaderHint) {
        super(message);
        this.leaderHint = leaderHint;
    }

    public String leaderHint() {
        return leaderHint;
    }
}
