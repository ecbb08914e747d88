package dev.raftkv.raft;

/** A membership change or transfer names a node that is not a member: asking again will not help. */
public final class UnknownMemberException extends IllegalArgumentException {
    private final String id;

    public UnknownMemberException(String id) {
        super("unknown member '" + id + "'");
        this.id = id;
    }

    public String id() {
        return id;
    }
}
