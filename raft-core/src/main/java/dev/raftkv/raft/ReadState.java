package dev.raftkv.raft;

/**
 * The answer to a ReadIndex request: once the state machine has applied {@code index}, a read tagged
 * {@code requestId} may be served. {@code index < 0} means the read was refused (not leader, or
 * leadership lost before it was confirmed) and must be retried elsewhere.
 */
public record ReadState(long requestId, long index) {
    public boolean refused() {
        return index < 0;
    }
}
