package dev.raftkv.raft.log;

/**
 * Told of each group commit, on the log writer thread, after the sync and before the writes are answered:
 * for metrics. It must be quick and never block, because every write of the group waits for it.
 */
@FunctionalInterface
public interface FlushObserver {
    FlushObserver NONE = (writes, entries, syncNanos) -> { };

    /**
     * @param writes    the batches made durable together
     * @param entries   the log entries among them
     * @param syncNanos how long the fsync of the log (and of the hard state, if it changed) took
     */
    void flushed(int writes, int entries, long syncNanos);
}
