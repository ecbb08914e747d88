package dev.raftkv.raft;

public enum Role {
    FOLLOWER, PRE_CANDIDATE, CANDIDATE, LEADER;

    /** The lower-case name the status API shows. */
    public String label() {
        return name().toLowerCase().replace('_', '-');
    }
}
