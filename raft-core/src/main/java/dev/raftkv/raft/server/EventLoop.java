package dev.raftkv.raft.server;

/**
 * The one thread that owns a {@link RaftServer}'s mutable state, with its timer and clock.
 * Injected so that the simulator can run the real driver in virtual time.
 */
public interface EventLoop {
    void execute(Runnable task);

    /** Runs {@code task} every {@code periodMillis} until the returned handle is cancelled. */
    Cancellable every(long periodMillis, Runnable task);

    long nowMillis();

    interface Cancellable {
        void cancel();
    }
}
