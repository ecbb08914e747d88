package dev.raftkv.raft.server;

import dev.raftkv.raft.ClusterConfig;
import dev.raftkv.raft.Entry;
import dev.raftkv.raft.EntryType;
import dev.raftkv.raft.SnapshotMeta;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Owns the state machine: applies committed entries in order, completes the futures of the
 * proposals they answer, serves reads once their read index is applied, and takes snapshots.
 * Every method runs on the apply executor, one task at a time.
 */
final class Applier {
    private static final Logger LOG = LoggerFactory.getLogger(Applier.class);

    private record Expected(long term, CompletableFuture<Object> future) {
    }

    private record WaitingRead(long index, long seq, byte[] query, CompletableFuture<Object> future) {
    }

    private final StateMachine machine;
    private final SnapshotStore snapshots;
    private final long snapshotEvery;
    private final long snapshotEveryBytes;
    private long bytesSinceSnapshot;
    private final Consumer<SnapshotMeta> onSnapshot;

    private final Map<Long, Expected> expected = new HashMap<>();
    private final PriorityQueue<WaitingRead> waitingReads = new PriorityQueue<>(
            (a, b) -> a.index != b.index ? Long.compare(a.index, b.index) : Long.compare(a.seq, b.seq));
    private long readSeq;
    private long applied;
    private final RaftCounters counters;
    private long appliedTerm;
    private long lastSnapshotIndex;

    /**
     * @param snapshotEvery      take a snapshot after this many applied entries (0: never)
     * @param snapshotEveryBytes ... or after this many bytes of applied commands (0: never)
     * @param onSnapshot         told of each snapshot once it is durable, so the log before it can go
     */
    Applier(StateMachine machine, SnapshotStore snapshots, long snapshotEvery, long snapshotEveryBytes,
            Consumer<SnapshotMeta> onSnapshot) {
        this(machine, snapshots, snapshotEvery, snapshotEveryBytes, onSnapshot, new RaftCounters());
    }

    /** @param counters where the snapshots it takes are counted, sized and timed */
    Applier(StateMachine machine, SnapshotStore snapshots, long snapshotEvery, long snapshotEveryBytes,
            Consumer<SnapshotMeta> onSnapshot, RaftCounters counters) {
        this.counters = counters;
        this.machine = machine;
        this.snapshots = snapshots;
        this.snapshotEvery = snapshotEvery;
        this.snapshotEveryBytes = snapshotEveryBytes;
        this.onSnapshot = onSnapshot;
    }

    long applied() {
        return applied;
    }

    /** The state machine failed on the entry at {@code index} (applying it, or ending the batch it closed). */
    static final class EntryFailedException extends RuntimeException {
        final long index;

        EntryFailedException(long index, Throwable cause) {
            super("entry " + index, cause);
            this.index = index;
        }
    }

    /**
     * Waits for the entry a leader appended at {@code index} in {@code term}. One may already wait at that index, from
     * an earlier term: this node led then, lost leadership, and a later leader (this node again) appended over it.
     * That older entry was never committed (a committed one would be in every later leader's log at its index, so
     * the index could not be reused) and never will be: it is answered at once, "not applied", safe to retry. Two
     * proposals at one index of one term, or a later term's overwritten by an earlier one, cannot be: a bug.
     */
    void expect(long index, long term, CompletableFuture<Object> future) {
        Expected old = expected.get(index);
        if (old != null && old.term() >= term) {
            throw new IllegalStateException("a proposal at index " + index + " of term " + term
                    + " after one of term " + old.term() + ": a leader assigns each index once, in increasing terms");
        }
        expected.put(index, new Expected(term, future));
        if (old != null) old.future().completeExceptionally(replaced(index));
    }

    private static NotAppliedException replaced(long index) {
        return new NotAppliedException("entry " + index + " was replaced after a leader change", null);
    }

    void apply(List<Entry> entries, ClusterConfig members) {
        for (Entry e : entries) {
            if (e.index() != applied + 1) {
                throw new IllegalStateException("applying " + e + " after " + applied + ": entries must come in order");
            }
            Object result;
            try {
                result = e.type() == EntryType.NORMAL ? machine.apply(e.index(), e.data()) : null;
            } catch (RuntimeException | Error failure) {
                throw new EntryFailedException(e.index(), failure);
            }
            applied = e.index();
            appliedTerm = e.term();
            bytesSinceSnapshot += e.data().length;
            Expected x = expected.remove(e.index());
            if (x != null) {
                if (x.term() == e.term()) x.future().complete(result);
                else x.future().completeExceptionally(replaced(e.index()));
            }
        }
        if (!entries.isEmpty()) {
            try {
                machine.endBatch(applied);
            } catch (RuntimeException | Error failure) {
                throw new EntryFailedException(applied, failure);
            }
        }
        releaseReads();
        boolean byCount = snapshotEvery > 0 && applied - lastSnapshotIndex >= snapshotEvery;
        boolean byBytes = snapshotEveryBytes > 0 && bytesSinceSnapshot >= snapshotEveryBytes;
        if (byCount || byBytes) takeSnapshot(members);
    }

    /**
     * Writes the state machine straight into the store's file, here on the apply thread. That is the
     * simple, honest option: only here is the machine consistent at {@code applied} (nothing else is
     * applied meanwhile), and streaming it needs no copy of the map. The price is that applying waits
     * while the map is written out (reads and writes stall for that long, as they did when the snapshot
     * was a byte array); a copy-on-write map would avoid the wait, but would cost every write, and a
     * copy taken here would need memory for the whole state again.
     */
    private void takeSnapshot(ClusterConfig members) {
        SnapshotMeta meta = new SnapshotMeta(applied, appliedTerm, members);
        lastSnapshotIndex = applied;
        bytesSinceSnapshot = 0;
        long t0 = System.nanoTime();
        try (SnapshotWriter writer = snapshots.create(meta)) {
            machine.snapshot(writer);
            counters.snapshotTaken(writer.commit().size(), System.nanoTime() - t0);
        } catch (IOException | RuntimeException e) {
            // not fatal: the log still holds everything; the next interval tries again
            LOG.error("taking a snapshot at {} failed; keeping the log instead", applied, e);
            return;
        }
        onSnapshot.accept(meta);
    }

    /**
     * At start-up, with the latest stored snapshot: a machine whose own storage already holds it (or more)
     * is left as it is, and the log after the snapshot is handed to it again (it skips what it holds); any
     * other is restored from it.
     */
    void start(Snapshot snap) {
        long durable = machine.durableIndex();
        if (durable < snap.meta().index()) {
            restore(snap);
            return;
        }
        LOG.info("the state machine holds index {}, snapshot {} is not restored; replaying the log after it",
                durable, snap.meta().index());
        resumeAt(snap.meta());
    }

    /**
     * Replaces the whole state by a snapshot (the latest stored one at start-up, or one from the leader).
     *
     * @throws UncheckedIOException if the snapshot cannot be read: the machine is then in no state to go on
     */
    void restore(Snapshot snap) {
        SnapshotMeta meta = snap.meta();
        long t0 = System.nanoTime();
        try {
            machine.restore(snap);
        } catch (IOException e) {
            throw new UncheckedIOException("restoring snapshot " + meta.index() + "@" + meta.term() + " failed", e);
        }
        LOG.info("restored snapshot {} ({} bytes) in {} ms", meta.index(), snap.size(), (System.nanoTime() - t0) / 1_000_000);
        resumeAt(meta);
    }

    private void resumeAt(SnapshotMeta meta) {
        applied = meta.index();
        appliedTerm = meta.term();
        lastSnapshotIndex = applied;
        bytesSinceSnapshot = 0;
        // proposals the snapshot swallowed may or may not be in it
        for (Iterator<Map.Entry<Long, Expected>> it = expected.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Long, Expected> x = it.next();
            if (x.getKey() <= applied) {
                x.getValue().future().completeExceptionally(new OutcomeUnknownException(
                        "entry " + x.getKey() + " was covered by a snapshot from the leader"));
                it.remove();
            }
        }
        releaseReads();
    }

    void readAt(long index, byte[] query, CompletableFuture<Object> future) {
        waitingReads.add(new WaitingRead(index, readSeq++, query, future));
        releaseReads();
    }

    void readNow(byte[] query, CompletableFuture<Object> future) {
        future.complete(machine.query(query));
    }

    private void releaseReads() {
        while (!waitingReads.isEmpty() && waitingReads.peek().index() <= applied) {
            WaitingRead r = waitingReads.poll();
            r.future().complete(machine.query(r.query()));
        }
    }

    /**
     * This node stopped leading: no proposal it took will be answered by it with certainty any more. Each is
     * told at once that its outcome is unknown (the entry may still commit under the next leader); an entry
     * that is applied later finds nobody waiting.
     */
    void failProposals(String why) {
        List<CompletableFuture<Object>> proposals = new ArrayList<>();
        expected.values().forEach(x -> proposals.add(x.future()));
        expected.clear();
        proposals.forEach(f -> f.completeExceptionally(new OutcomeUnknownException(why)));
    }

    /** The server stopped: nobody will answer what is still waiting. */
    void failAll() {
        List<CompletableFuture<Object>> proposals = new ArrayList<>();
        expected.values().forEach(x -> proposals.add(x.future()));
        expected.clear();
        proposals.forEach(f -> f.completeExceptionally(new OutcomeUnknownException("the node stopped")));
        while (!waitingReads.isEmpty()) {
            waitingReads.poll().future().completeExceptionally(new NotAppliedException("the node stopped", null));
        }
    }
}
