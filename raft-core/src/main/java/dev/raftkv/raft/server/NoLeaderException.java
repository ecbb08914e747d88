package dev.raftkv.raft.server;

/**
 * Not applied (retry is safe): this node does not lead and knows no leader. It says why: how many voters
 * it can hear. Fewer than a majority, and no leader can be elected until more come back; a majority, and
 * an election is under way.
 */
public final class NoLeaderException extends NotAppliedException {
    private final int reachableVoters;
    private final int voters;

    public NoLeaderException(int reachableVoters, int voters) {
        super(describe(reachableVoters, voters), null);
        this.reachableVoters = reachableVoters;
        this.voters = voters;
    }

    private static String describe(int reachable, int voters) {
        if (voters == 0) return "no leader: this node knows no membership yet (it is joining)";
        String count = "no leader: " + reachable + " of " + voters + " voters reachable";
        return reachable > voters / 2 ? count + "; an election is under way, retry shortly" : count
                + "; a majority (" + (voters / 2 + 1) + ") is needed to elect one";
    }

    public int reachableVoters() {
        return reachableVoters;
    }

    public int voters() {
        return voters;
    }
}
