package dev.raftkv.node;

import dev.raftkv.raft.server.EventLoop;

import java.util.PriorityQueue;

/**
 * The in-memory twin of {@link SkewedClockLoop.RealTime}: real time moves only when a test says so, and
 * tasks run on the test's thread, in order of due time (ties in order of submission), as on a
 * scheduled executor.
 */
final class ManualRealTime implements SkewedClockLoop.RealTime {
    private record Task(long due, long seq, Runnable run) {
    }

    private final PriorityQueue<Task> queue = new PriorityQueue<>((a, b) ->
            a.due != b.due ? Long.compare(a.due, b.due) : Long.compare(a.seq, b.seq));
    private long now = 1_000_000_000L;
    private long seq;

    @Override
    public void execute(Runnable task) {
        queue.add(new Task(now, seq++, task));
    }

    @Override
    public EventLoop.Cancellable schedule(long delayNanos, Runnable task) {
        Task t = new Task(now + delayNanos, seq++, task);
        queue.add(t);
        return () -> queue.remove(t);
    }

    @Override
    public long nanoTime() {
        return now;
    }

    /** Lets {@code nanos} of real time pass, running every task as it falls due. */
    void advance(long nanos) {
        long end = now + nanos;
        for (Task t = queue.peek(); t != null && t.due <= end; t = queue.peek()) {
            queue.poll();
            now = Math.max(now, t.due);
            t.run.run();
        }
        now = end;
    }

    /** Lets {@code nanos} of real time pass with the loop thread stuck: nothing runs (a GC pause, SIGSTOP). */
    void stall(long nanos) {
        now += nanos;
    }

    /** Runs whatever is due now. */
    void runDue() {
        advance(0);
    }

    @Override
    public void close() {
        queue.clear();
    }
}
