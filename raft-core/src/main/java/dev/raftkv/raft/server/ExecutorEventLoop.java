package dev.raftkv.raft.server;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The production {@link EventLoop}: one named thread, wall-clock timers. A task that throws is a bug
 * in the node; rather than let the timer die silently (a scheduled task that throws is never run
 * again) and leave a node that no longer ticks, it is handed to {@code onFatal}.
 */
public final class ExecutorEventLoop implements EventLoop, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ExecutorEventLoop.class);

    private final ScheduledExecutorService executor;
    private final Consumer<Throwable> onFatal;

    public ExecutorEventLoop(String threadName, Consumer<Throwable> onFatal) {
        this.onFatal = onFatal;
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public void execute(Runnable task) {
        if (!executor.isShutdown()) executor.execute(() -> guarded(task));
    }

    @Override
    public Cancellable every(long periodMillis, Runnable task) {
        ScheduledFuture<?> f = executor.scheduleAtFixedRate(() -> guarded(task), periodMillis, periodMillis, TimeUnit.MILLISECONDS);
        return () -> f.cancel(false);
    }

    /**
     * Runs {@code task} once on the loop after {@code delayNanos}. Like every timer here, it is ordered
     * against {@link #execute}d tasks by due time, so a task submitted after it fell due runs after it.
     */
    public Cancellable schedule(long delayNanos, Runnable task) {
        if (executor.isShutdown()) return () -> { };
        ScheduledFuture<?> f = executor.schedule(() -> guarded(task), delayNanos, TimeUnit.NANOSECONDS);
        return () -> f.cancel(false);
    }

    private void guarded(Runnable task) {
        try {
            task.run();
        } catch (Throwable t) {
            LOG.error("a task on the event loop failed; this node must stop", t);
            executor.shutdown();
            onFatal.accept(t);
        }
    }

    @Override
    public long nowMillis() {
        return System.nanoTime() / 1_000_000;
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
