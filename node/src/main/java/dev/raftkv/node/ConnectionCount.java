package dev.raftkv.node;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The connections open on one port, against its cap: every open connection holds buffers (a partial request,
 * answers on their way out), so their number is bounded like the bytes they hold. Thread-safe.
 */
final class ConnectionCount {
    private final int max;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong lastWarningNanos = new AtomicLong(System.nanoTime() - WARN_EVERY_NANOS);
    private static final long WARN_EVERY_NANOS = 10_000_000_000L;

    ConnectionCount(int max) {
        this.max = max;
    }

    /** Counts a new connection in, or refuses it (returns false, counts nothing) when the port is at its cap. */
    boolean tryOpen() {
        while (true) {
            int n = open.get();
            if (n >= max) {
                refused.incrementAndGet();
                return false;
            }
            if (open.compareAndSet(n, n + 1)) return true;
        }
    }

    /** For a connection that {@link #tryOpen} counted in. */
    void closed() {
        open.decrementAndGet();
    }

    int open() {
        return open.get();
    }

    int max() {
        return max;
    }

    long refused() {
        return refused.get();
    }

    /** Whether a refusal should be logged now: at most one warning in 10 s, so that a flood does not flood the log. */
    boolean shouldWarn() {
        long last = lastWarningNanos.get();
        long now = System.nanoTime();
        return now - last >= WARN_EVERY_NANOS && lastWarningNanos.compareAndSet(last, now);
    }
}
