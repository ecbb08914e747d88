package dev.raftkv.raft.server;

import java.util.concurrent.atomic.LongAdder;

/**
 * What a {@link RaftServer} has done so far, for metrics. The event loop adds, any thread reads: the adders
 * never lock, so a scrape cannot hold up the loop. Counted in the driver from what the core sends and
 * receives, so the core stays free of them.
 */
public final class RaftCounters {
    final LongAdder electionsStarted = new LongAdder();
    final LongAdder leaderChanges = new LongAdder();
    final LongAdder proposals = new LongAdder();
    final LongAdder appendEntriesSent = new LongAdder();
    final LongAdder appendEntriesReceived = new LongAdder();
    final LongAdder appendEntriesRejected = new LongAdder();
    final LongAdder snapshotsInstalled = new LongAdder();
    private final LongAdder snapshotsTaken = new LongAdder();
    private final LongAdder snapshotNanos = new LongAdder();
    private volatile long lastSnapshotBytes;

    /** On the apply thread: a snapshot of {@code bytes} was written in {@code nanos}. */
    void snapshotTaken(long bytes, long nanos) {
        lastSnapshotBytes = bytes;
        snapshotNanos.add(nanos);
        snapshotsTaken.increment();
    }

    /** Snapshots this node took of its own state machine. */
    public long snapshotsTaken() {
        return snapshotsTaken.sum();
    }

    /** Snapshots this node received from a leader and installed. */
    public long snapshotsInstalled() {
        return snapshotsInstalled.sum();
    }

    /** The time spent writing the snapshots it took, all together. */
    public long snapshotNanos() {
        return snapshotNanos.sum();
    }

    /** The size of the latest snapshot it took, or 0 before the first. */
    public long lastSnapshotBytes() {
        return lastSnapshotBytes;
    }

    /** Campaigns this node began: each term it raised itself, as a candidate (after a won pre-vote, where enabled). */
    public long electionsStarted() {
        return electionsStarted.sum();
    }

    /** Times the leader this node knows changed to another, known one (the first leader it learns counts). */
    public long leaderChanges() {
        return leaderChanges.sum();
    }

    /** Proposals handed to the core, whatever it answered. */
    public long proposals() {
        return proposals.sum();
    }

    public long appendEntriesSent() {
        return appendEntriesSent.sum();
    }

    public long appendEntriesReceived() {
        return appendEntriesReceived.sum();
    }

    /** AppendEntries this node refused (it answered success=false: a log that does not match, or a stale term). */
    public long appendEntriesRejected() {
        return appendEntriesRejected.sum();
    }
}
