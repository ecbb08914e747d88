package dev.raftkv.transport;

/**
 * Capped exponential back-off between connection attempts to one peer: a dead peer costs one attempt
 * per {@code max}, a peer that blinked is retried after {@code min}. Not thread-safe; its owner locks.
 */
final class Backoff {
    private final long minNanos;
    private final long maxNanos;
    private long nextNanos;

    Backoff(long minNanos, long maxNanos) {
        if (minNanos < 0 || maxNanos < minNanos) throw new IllegalArgumentException(minNanos + ".." + maxNanos);
        this.minNanos = minNanos;
        this.maxNanos = maxNanos;
        this.nextNanos = minNanos;
    }

    /** The wait before the next attempt; each call doubles the one after, up to the cap. */
    long nextDelayNanos() {
        long delay = nextNanos;
        // halving the cap instead of doubling the delay cannot overflow; max(1, ..): a zero minimum still grows
        nextNanos = nextNanos > maxNanos / 2 ? maxNanos : Math.max(1, nextNanos * 2);
        return delay;
    }

    void reset() {
        nextNanos = minNanos;
    }

    long maxNanos() {
        return maxNanos;
    }
}
