package dev.raftkv.raft.server;

/** The request was proposed but its outcome cannot be told any more (the node stopped): it may still commit. */
public final class OutcomeUnknownException extends RuntimeException {
    public OutcomeUnknownException(String message) {
        super(message);
    }
}
