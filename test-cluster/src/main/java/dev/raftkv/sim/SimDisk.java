package dev.raftkv.sim;

import dev.raftkv.raft.Entry;
import dev.raftkv.raft.HardState;
import dev.raftkv.raft.SnapshotMeta;
import dev.raftkv.raft.server.LogStorage;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A node's disk in virtual time. A batch becomes durable after a random fsync delay, in order;
 * {@link #crash} throws away every batch not yet durable, as a power cut would.
 * Before anything is written, each entry is shown to {@link LogRegistry} so Log Matching is checked
 * on every write any node makes.
 */
final class SimDisk implements LogStorage {
    private record Pending(Batch batch, Consumer<Throwable> done, List<Long> compactAfter) {
    }

    private final String node;
    private final SimWorld world;
    private final LogRegistry registry;
    private final int maxFsyncMillis;

    private HardState hardState = HardState.INITIAL;
    private long snapshotIndex;
    private long snapshotTerm;
    private final ArrayList<Entry> entries = new ArrayList<>(); // durable, after snapshotIndex
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private long generation;
    private long busyUntil;

    /** The log as the node's durable writes describe it, for the Log Matching check. */
    private final ArrayList<Long> writtenTerms = new ArrayList<>();
    private long writtenBase;
    private long writtenBaseTerm;

    SimDisk(String node, SimWorld world, LogRegistry registry, int maxFsyncMillis) {
        this.node = node;
        this.world = world;
        this.registry = registry;
        this.maxFsyncMillis = maxFsyncMillis;
    }

    @Override
    public Recovered load(SnapshotMeta snapshot) {
        if (snapshot != null && snapshot.index() > snapshotIndex) {
            // the snapshot store is ahead of the log (a crash came between the two)
            boolean holdsIt = entries.stream().anyMatch(e -> e.index() == snapshot.index() && e.term() == snapshot.term());
            if (!holdsIt) entries.clear();
            compactDurable(snapshot.index());
            snapshotTerm = snapshot.term();
        }
        List<Entry> out = new ArrayList<>(entries);
        resetWrittenView();
        return new Recovered(hardState, out);
    }

    @Override
    public void write(Batch batch, Consumer<Throwable> done) {
        pending.addLast(new Pending(batch, done, new ArrayList<>()));
        long gen = generation;
        busyUntil = Math.max(busyUntil, world.now()) + 1 + world.random().nextInt(maxFsyncMillis);
        world.at(busyUntil, () -> {
            if (gen != generation) return; // lost in a crash
            Pending p = pending.pollFirst();
            // checked once durable: a write lost in a crash was never anyone's log (a single voter that loses
            // its term with it may lead that term again), but everything durable must agree across nodes
            checkAgainstRegistry(p.batch());
            makeDurable(p.batch());
            p.compactAfter().forEach(this::compactDurable);
            p.done().accept(null);
        });
    }

    /** Like the real log writer, compaction waits behind the writes queued before it. */
    @Override
    public void compact(long index) {
        if (pending.isEmpty()) {
            compactDurable(index);
        } else {
            pending.peekLast().compactAfter().add(index);
        }
    }

    /** Power cut: whatever was not yet durable is gone. */
    void crash() {
        generation++;
        pending.clear();
        busyUntil = 0;
        resetWrittenView();
    }

    private void makeDurable(Batch b) {
        if (b.hardState() != null) hardState = b.hardState();
        if (b.installedSnapshot() != null) {
            entries.clear();
            snapshotIndex = b.installedSnapshot().index();
            snapshotTerm = b.installedSnapshot().term();
        }
        for (Entry e : b.entries()) {
            while (!entries.isEmpty() && entries.get(entries.size() - 1).index() >= e.index()) {
                entries.remove(entries.size() - 1);
            }
            long expect = snapshotIndex + entries.size() + 1;
            if (e.index() != expect) throw new IllegalStateException(node + ": gap writing " + e + ", expected " + expect);
            entries.add(e);
        }
    }

    private void compactDurable(long index) {
        if (index <= snapshotIndex) return;
        long newTerm = -1;
        for (Entry e : entries) {
            if (e.index() == index) newTerm = e.term();
        }
        entries.removeIf(e -> e.index() <= index);
        snapshotTerm = newTerm;
        snapshotIndex = index;
    }

    // ---------------------------------------------------------------- log matching

    private void resetWrittenView() {
        writtenTerms.clear();
        writtenBase = snapshotIndex;
        writtenBaseTerm = snapshotTerm;
        for (Entry e : entries) writtenTerms.add(e.term());
    }

    /** Tells the registry each entry together with the term of the entry before it, as this node's log has them. */
    private void checkAgainstRegistry(Batch b) {
        if (b.installedSnapshot() != null) {
            writtenTerms.clear();
            writtenBase = b.installedSnapshot().index();
            writtenBaseTerm = b.installedSnapshot().term();
        }
        for (Entry e : b.entries()) {
            int pos = (int) (e.index() - writtenBase - 1);
            if (pos < 0) continue;
            while (writtenTerms.size() > pos) writtenTerms.remove(writtenTerms.size() - 1);
            if (writtenTerms.size() != pos) continue; // a gap would be caught by makeDurable
            long prevTerm = pos == 0 ? writtenBaseTerm : writtenTerms.get(pos - 1);
            registry.written(node, e, prevTerm);
            writtenTerms.add(e.term());
        }
    }

    /**
     * The disk lied about fsync: the records from somewhere in the few before the durable commit hint to the
     * end are gone, while the hard state stays. Call while the node is down. Returns how many records went
     * (0 when the hint lies within a snapshot, the log's or {@code snapshotStoreIndex}, the newest in the
     * node's snapshot store: a restart starts from it, so a loss below it would not show, and a node cannot
     * know it lost what lies beyond its durable hint; nor can anyone repair what no one knows is missing).
     */
    int loseTailBeforeCommitHint(java.util.Random random, long snapshotStoreIndex) {
        long hint = hardState.commit();
        long last = snapshotIndex + entries.size();
        long floor = Math.max(snapshotIndex, snapshotStoreIndex);
        if (hint <= floor || hint > last) return 0;
        long cut = Math.max(floor + 1, hint - random.nextInt(8)); // the first record lost
        int lost = (int) (last - cut + 1);
        for (int i = 0; i < lost; i++) entries.remove(entries.size() - 1);
        resetWrittenView();
        return lost;
    }

    long durableCommitHint() {
        return hardState.commit();
    }

    long durableEntries() {
        return entries.size();
    }
}
