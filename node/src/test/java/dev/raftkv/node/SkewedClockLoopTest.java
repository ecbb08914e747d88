package dev.raftkv.node;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The test-only skewable clock behind {@code --unsafe-clock-control}: rates, and ticks that are never late
 * to a task. Real time is a {@link ManualRealTime}, so every count below is exact.
 */
class SkewedClockLoopTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    private final ManualRealTime real = new ManualRealTime();
    private final SkewedClockLoop loop = new SkewedClockLoop(real);

    @Test
    void aFastClockTicksMoreOftenAndASlowOneLess() {
        AtomicLong ticks = new AtomicLong();
        long clockAtStart = loop.nowMillis();
        loop.setRate(8);
        loop.every(20, ticks::incrementAndGet);
        // at 8x, a 20 ms tick comes every 2.5 ms of real time: 40 in 100 ms (in real time, 5)
        real.advance(100 * MS);
        assertThat(ticks.get()).isEqualTo(40);
        assertThat(loop.nowMillis() - clockAtStart).isEqualTo(800); // the clock read 800 ms more, not 100

        loop.setRate(0.1);
        long before = ticks.get();
        // at 0.1x a 20 ms tick takes 200 ms of real time: 2 in 400 ms (1x would give 20)
        real.advance(400 * MS);
        assertThat(ticks.get() - before).isEqualTo(2);
    }

    @Test
    void aRateChangeBringsTheNextTickForward() {
        AtomicLong ticks = new AtomicLong();
        loop.setRate(0.1);
        loop.every(100, ticks::incrementAndGet);
        real.advance(500 * MS); // half a tick at 0.1x: none yet
        assertThat(ticks.get()).isZero();
        loop.setRate(10);
        // the clock stands at 50 ms; at 10x the tick at 100 ms is 5 ms of real time away, not 500
        real.advance(5 * MS);
        assertThat(ticks.get()).isEqualTo(1);
    }

    /**
     * The property lease reads rest on: a task that arrives after a tick fell due runs after that tick,
     * even when the loop was stalled (a GC pause, SIGSTOP) past several ticks.
     */
    @Test
    void afterAStallEveryTickThatFellDueRunsBeforeLaterTasks() {
        AtomicLong ticks = new AtomicLong();
        loop.setRate(1.1);
        loop.every(10, ticks::incrementAndGet);
        real.advance(30 * MS);
        long atStall = ticks.get();
        assertThat(atStall).isEqualTo(3); // 33 ms of the clock
        real.stall(200 * MS);
        AtomicLong seen = new AtomicLong(-1);
        loop.execute(() -> seen.set(ticks.get()));
        real.runDue();
        // 230 ms at 1.1x is 253 ms of the clock: 25 ticks of 10 ms, every one before the task that came after them
        assertThat(seen.get()).isEqualTo(25);
    }

    @Test
    void aCancelledTimerTicksNoMore() {
        AtomicLong ticks = new AtomicLong();
        var handle = loop.every(10, ticks::incrementAndGet);
        real.advance(25 * MS);
        handle.cancel();
        real.advance(100 * MS);
        assertThat(ticks.get()).isEqualTo(2);
    }

    @Test
    void ratesOutsideTheRangeAreRefused() {
        assertThatThrownBy(() -> loop.setRate(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> loop.setRate(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> loop.setRate(11)).isInstanceOf(IllegalArgumentException.class);
    }
}
