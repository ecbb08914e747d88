package dev.raftkv.raft.server;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/** The production {@link EventLoop}: one named thread, wall-clock timers. */
public final class ExecutorEventLoop implements EventLoop, AutoCloseable {
    private final ScheduledExecutorService executor;

    public ExecutorEventLoop(String threadName) {
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public void execute(Runnable task) {
        executor.execute(task);
    }

    @Override
    public Cancellable every(long periodMillis, Runnable task) {
        ScheduledFuture<?> f = executor.scheduleAtFixedRate(task, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
        return () -> f.cancel(false);
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
