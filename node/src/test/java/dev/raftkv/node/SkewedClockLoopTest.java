package dev.raftkv.node;

import dev.raftkv.raft.server.ExecutorEventLoop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The test-only skewable clock behind {@code --unsafe-clock-control}: rates, and ticks that are never late to a task. */
class SkewedClockLoopTest {
    private final SkewedClockLoop loop = new SkewedClockLoop(new ExecutorEventLoop("skew-test", e -> { }));

    @AfterEach
    void close() {
        loop.close();
    }

    @Test
    void aFastClockTicksMoreOftenAndASlowOneLess() {
        AtomicLong ticks = new AtomicLong();
        loop.setRate(8);
        long start = System.nanoTime();
        loop.every(20, ticks::incrementAndGet);
        // at 8x, 40 ticks of 20 ms take 100 ms; in real time they would take 800
        await().atMost(Duration.ofSeconds(5)).until(() -> ticks.get() >= 40);
        assertThat(System.nanoTime() - start).isLessThan(TimeUnit.MILLISECONDS.toNanos(600));

        loop.setRate(0.1);
        long before = ticks.get();
        // at 0.1x a 20 ms tick takes 200 ms: at most 3 more in 400 ms (1x would give 20)
        await().during(Duration.ofMillis(400)).atMost(Duration.ofSeconds(1)).until(() -> ticks.get() <= before + 3);
    }

    /**
     * The property lease reads rest on: a task that arrives after a tick fell due runs after that tick,
     * even when the loop was stalled (a GC pause, SIGSTOP) past several ticks.
     */
    @Test
    void afterAStallEveryTickThatFellDueRunsBeforeLaterTasks() throws Exception {
        AtomicLong ticks = new AtomicLong();
        loop.setRate(1.1);
        loop.every(10, ticks::incrementAndGet);
        await().atMost(Duration.ofSeconds(5)).until(() -> ticks.get() >= 3);
        CountDownLatch stalled = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        loop.execute(() -> {
            stalled.countDown();
            try {
                release.await(); // the loop thread is stuck here, as in a long pause
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        stalled.await();
        long atStall = ticks.get();
        long stallStart = System.nanoTime();
        Thread.sleep(200); // the stall under test: 200 ms of real time pass while the loop is stuck (no condition to wait for)
        long stalledNanos = System.nanoTime() - stallStart;
        CompletableFuture<Long> seen = new CompletableFuture<>();
        loop.execute(() -> seen.complete(ticks.get()));
        release.countDown();
        // 200 ms at 1.1x is 22 ticks of 10 ms; all of them ran before the task that came after them
        long due = (long) (stalledNanos * 1.1 / 10_000_000);
        assertThat(seen.get(5, TimeUnit.SECONDS)).isGreaterThanOrEqualTo(atStall + due - 1);
    }

    @Test
    void ratesOutsideTheRangeAreRefused() {
        assertThatThrownBy(() -> loop.setRate(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> loop.setRate(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> loop.setRate(11)).isInstanceOf(IllegalArgumentException.class);
    }
}
