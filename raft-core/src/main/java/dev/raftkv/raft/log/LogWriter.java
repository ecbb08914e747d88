package dev.raftkv.raft.log;

import dev.raftkv.raft.Entry;
import dev.raftkv.raft.HardState;
import dev.raftkv.raft.server.LogStorage.Batch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The one thread that owns the log files. Callers queue work; the thread takes everything queued
 * at once, applies it in order and then makes the whole group durable with one sync (group
 * commit), before telling each write, in order, that it is done.
 *
 * <p>If a write or a sync fails, every write of that group and every later one is told so, and
 * nothing is written again: after a failed fsync the kernel may have dropped the dirty pages and
 * a retry would report success for data that is gone ("fsyncgate", PostgreSQL 2018). The node has
 * to stop and recover from what is really on disk.
 */
final class LogWriter {
    private static final Logger LOG = LoggerFactory.getLogger(LogWriter.class);

    private sealed interface Task {
    }

    private record Write(Batch batch, Consumer<Throwable> done) implements Task {
    }

    private record Compact(long index) implements Task {
    }

    private record Call(Callable<?> work, CompletableFuture<Object> result) implements Task {
    }

    private record Stop() implements Task {
    }

    private final SegmentedLog log;
    private final HardStateFile hardStateFile;
    private final BlockingQueue<Task> queue = new LinkedBlockingQueue<>();
    private final Object submitLock = new Object();
    private boolean closed; // guarded by submitLock, so that nothing is queued behind Stop
    private final AtomicLong groupCommits = new AtomicLong();
    private final Thread thread;
    private volatile FlushObserver observer = FlushObserver.NONE;

    // owned by the writer thread
    private final List<Write> unsynced = new ArrayList<>();
    private HardState unsyncedHardState;
    private HardState durableHardState;
    private Throwable failure;

    LogWriter(SegmentedLog log, HardStateFile hardStateFile, HardState durableHardState, String name) {
        this.log = log;
        this.hardStateFile = hardStateFile;
        this.durableHardState = durableHardState;
        this.thread = new Thread(this::run, name);
        // a write is acknowledged only once durable, so a JVM exiting under an unfinished one loses nothing promised
        thread.setDaemon(true);
        thread.start();
    }

    void observe(FlushObserver observer) {
        this.observer = observer;
    }

    void write(Batch batch, Consumer<Throwable> done) {
        if (!submit(new Write(batch, done))) done.accept(new IllegalStateException("the log storage is closed"));
    }

    void compact(long index) {
        submit(new Compact(index));
    }

    /** Runs {@code work} on the writer thread after everything queued before it is durable, and waits for it. */
    <T> T call(Callable<T> work) throws IOException {
        // from a done callback this would wait for itself
        if (Thread.currentThread() == thread) throw new IllegalStateException("called on the log writer thread");
        CompletableFuture<Object> result = new CompletableFuture<>();
        if (!submit(new Call(work, result))) throw new IllegalStateException("the log storage is closed");
        try {
            @SuppressWarnings("unchecked")
            T value = (T) result.join();
            return value;
        } catch (CompletionException e) {
            if (e.getCause() instanceof IOException io) throw io;
            if (e.getCause() instanceof RuntimeException re) throw re;
            throw e;
        }
    }

    /** The hard state as last made durable. Only for work running on the writer thread (see {@link #call}). */
    HardState durableHardState() {
        return durableHardState;
    }

    /** How many groups were made durable, each with one sync of the log (and of the hard state if it changed). */
    long groupCommits() {
        return groupCommits.get();
    }

    /** Finishes everything queued, then stops the thread. */
    void close() {
        synchronized (submitLock) {
            if (closed) return;
            closed = true;
            queue.add(new Stop());
        }
        if (Thread.currentThread() == thread) return; // closed from a done callback: the loop ends after this group
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true; // still wait: the files must not be closed under the writer
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    private boolean submit(Task task) {
        synchronized (submitLock) {
            if (closed) return false;
            queue.add(task);
            return true;
        }
    }

    private void run() {
        List<Task> group = new ArrayList<>();
        boolean stopping = false;
        while (!stopping) {
            group.clear();
            try {
                group.add(queue.take());
            } catch (InterruptedException e) {
                continue; // nobody should interrupt us; only Stop ends the loop
            }
            queue.drainTo(group);
            for (Task task : group) {
                if (task instanceof Write w) applyWrite(w);
                else if (task instanceof Compact c) applyCompact(c.index());
                else if (task instanceof Call c) runCall(c);
                else if (task instanceof Stop) stopping = true; // nothing can be queued after Stop
            }
            flush();
        }
        try {
            log.close();
        } catch (IOException e) {
            LOG.warn("closing the log in {} failed", log.directory(), e);
        }
    }

    private void applyWrite(Write w) {
        unsynced.add(w);
        if (failure != null) return;
        try {
            Batch b = w.batch();
            if (b.installedSnapshot() != null) log.reset(b.installedSnapshot().index() + 1);
            for (Entry e : b.entries()) log.append(e);
            if (b.hardState() != null) unsyncedHardState = b.hardState();
        } catch (IOException | RuntimeException e) {
            fail(e);
        }
    }

    private void applyCompact(long index) {
        if (failure != null) return;
        try {
            log.compact(index);
        } catch (IOException | RuntimeException e) {
            fail(e);
        }
    }

    private void runCall(Call c) {
        flush();
        if (failure != null) {
            c.result().completeExceptionally(new IOException("the log writer has failed", failure));
            return;
        }
        try {
            c.result().complete(c.work().call());
        } catch (Exception e) {
            c.result().completeExceptionally(e);
        }
    }

    /** Makes the group durable, then tells each of its writes, in order. */
    private void flush() {
        if (unsynced.isEmpty() && unsyncedHardState == null) return;
        if (failure == null) {
            try {
                long t0 = System.nanoTime();
                // entries before the hard state: a crash between the two then leaves a commit hint
                // that never points past the durable log
                log.sync();
                // the core may hand over a hard state that did not change; rewriting it costs two fsyncs
                if (unsyncedHardState != null && !unsyncedHardState.equals(durableHardState)) {
                    hardStateFile.write(unsyncedHardState);
                    durableHardState = unsyncedHardState;
                }
                groupCommits.incrementAndGet();
                tellObserver(System.nanoTime() - t0);
            } catch (IOException | RuntimeException e) {
                fail(e);
            }
        }
        unsyncedHardState = null;
        for (Write w : unsynced) {
            try {
                w.done().accept(failure);
            } catch (RuntimeException e) {
                LOG.error("a log write callback threw; the writer carries on", e);
            }
        }
        unsynced.clear();
    }

    /** A metric that throws must not fail the log: the writes are durable, so they are answered as such. */
    private void tellObserver(long syncNanos) {
        int entries = 0;
        for (Write w : unsynced) entries += w.batch().entries().size();
        try {
            observer.flushed(unsynced.size(), entries, syncNanos);
        } catch (RuntimeException e) {
            LOG.warn("a flush observer threw; the writer carries on", e);
        }
    }

    private void fail(Throwable e) {
        if (failure != null) return;
        failure = e;
        LOG.error("the log writer for {} failed; it refuses every further write", log.directory(), e);
    }
}
