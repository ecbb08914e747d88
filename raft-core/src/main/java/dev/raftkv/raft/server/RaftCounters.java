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
