package dev.raftkv.node;

import dev.raftkv.raft.server.EventLoop;
import dev.raftkv.raft.server.ExecutorEventLoop;

import java.util.ArrayList;
import java.util.List;

/**
 * Test only ({@code --unsafe-clock-control}): the node's event loop with a clock that a test harness can
 * make run fast or slow while the node runs, so that {@code raftkv verify --nemesis clock} can check that
 * lease reads survive clock drift. Timers (the Raft tick) follow this clock: at rate 1.1 the node ticks
 * 10% more often than its {@code --tick-ms} says.
 *
 * <p>Each tick is scheduled for the real instant this clock reaches it, on the same executor as every
 * other task, so (as with a fixed-rate timer) a task submitted after a tick fell due runs after that tick,
 * and after a pause (SIGSTOP) every tick that fell due runs before anything that arrived meanwhile. Rate
 * changes take effect on the loop thread, between tasks. Every method but {@link #setRate} and
 * {@link #rate} runs on the loop thread.
 */
public final class SkewedClockLoop implements EventLoop, AutoCloseable {
    /** Rates outside this range are refused: a stopped or racing clock is another fault than drift. */
    public static final double MIN_RATE = 0.1;
    public static final double MAX_RATE = 10;

    /**
     * The real-time loop this clock runs on: one thread, one-shot timers ordered against submitted tasks by
     * due time, and the real clock. Production: an {@link ExecutorEventLoop} and {@link System#nanoTime};
     * tests drive a manual twin, so no test waits for real time to pass.
     */
    public interface RealTime extends AutoCloseable {
        void execute(Runnable task);

        /** Runs {@code task} once after {@code delayNanos}, ordered by due time against {@link #execute}d tasks. */
        EventLoop.Cancellable schedule(long delayNanos, Runnable task);

        long nanoTime();

        @Override
        void close();

        static RealTime of(ExecutorEventLoop loop) {
            return new RealTime() {
                @Override
                public void execute(Runnable task) {
                    loop.execute(task);
                }

                @Override
                public EventLoop.Cancellable schedule(long delayNanos, Runnable task) {
                    return loop.schedule(delayNanos, task);
                }

                @Override
                public long nanoTime() {
                    return System.nanoTime();
                }

                @Override
                public void close() {
                    loop.close();
                }
            };
        }
    }

    private final RealTime inner;
    private final List<Timer> timers = new ArrayList<>();
    private volatile double rate = 1.0;
    /** This clock's reading, in nanoseconds, at real time {@code anchorReal}; loop thread only. */
    private long anchorScaled;
    private long anchorReal;
    private double anchorRate = 1.0;

    public SkewedClockLoop(ExecutorEventLoop inner) {
        this(RealTime.of(inner));
    }

    public SkewedClockLoop(RealTime inner) {
        this.inner = inner;
        this.anchorReal = inner.nanoTime();
    }

    /** Makes this node's clock run at {@code newRate} times real time from now on. Any thread. */
    public void setRate(double newRate) {
        if (!(newRate >= MIN_RATE && newRate <= MAX_RATE)) {
            throw new IllegalArgumentException("a clock rate must be between " + MIN_RATE + " and " + MAX_RATE + ", got " + newRate);
        }
        rate = newRate;
        inner.execute(() -> {
            long now = inner.nanoTime();
            anchorScaled = scaledNanos(now);
            anchorReal = now;
            anchorRate = newRate;
            List.copyOf(timers).forEach(Timer::fire); // a faster clock may have brought the next tick forward
        });
    }

    public double rate() {
        return rate;
    }

    private long scaledNanos(long realNow) {
        return anchorScaled + (long) ((realNow - anchorReal) * anchorRate);
    }

    @Override
    public void execute(Runnable task) {
        inner.execute(task);
    }

    @Override
    public Cancellable every(long periodMillis, Runnable task) {
        Timer t = new Timer(periodMillis * 1_000_000, task);
        inner.execute(() -> {
            t.base = scaledNanos(inner.nanoTime());
            timers.add(t);
            t.scheduleNext();
        });
        return () -> inner.execute(t::cancel);
    }

    @Override
    public long nowMillis() {
        return scaledNanos(inner.nanoTime()) / 1_000_000;
    }

    @Override
    public void close() {
        inner.close();
    }

    /** One periodic task on the skewed clock; fields owned by the loop thread. */
    private final class Timer {
        final long periodNanos;
        final Runnable task;
        long base;
        long ran;
        Cancellable pending;
        boolean cancelled;

        Timer(long periodNanos, Runnable task) {
            this.periodNanos = periodNanos;
            this.task = task;
        }

        /** Runs every tick that fell due (several after a pause), then waits for the next. */
        void fire() {
            if (cancelled) return;
            if (pending != null) pending.cancel();
            long due = (scaledNanos(inner.nanoTime()) - base) / periodNanos;
            while (ran < due && !cancelled) {
                ran++;
                task.run();
            }
            scheduleNext();
        }

        void scheduleNext() {
            if (cancelled) return;
            long waitScaled = base + (ran + 1) * periodNanos - scaledNanos(inner.nanoTime());
            long waitReal = (long) Math.ceil(Math.max(0, waitScaled) / anchorRate);
            pending = inner.schedule(waitReal, this::fire);
        }

        void cancel() {
            cancelled = true;
            timers.remove(this);
            if (pending != null) pending.cancel();
        }
    }
}
