package dev.raftkv.transport;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class BackoffTest {

    @Test
    void doublesFromTheMinimumUpToTheCapAndResets() {
        Backoff b = new Backoff(50, 400);
        assertThat(new long[]{b.nextDelayNanos(), b.nextDelayNanos(), b.nextDelayNanos(), b.nextDelayNanos(),
                b.nextDelayNanos()}).containsExactly(50, 100, 200, 400, 400);
        b.reset();
        assertThat(b.nextDelayNanos()).isEqualTo(50);
    }

    @Test
    void aZeroMinimumStillGrows() {
        Backoff b = new Backoff(0, 4);
        assertThat(new long[]{b.nextDelayNanos(), b.nextDelayNanos(), b.nextDelayNanos(), b.nextDelayNanos(),
                b.nextDelayNanos()}).containsExactly(0, 1, 2, 4, 4);
    }

    @Test
    void aCapNearLongMaxDoesNotOverflow() {
        Backoff b = new Backoff(Long.MAX_VALUE / 2 + 1, Long.MAX_VALUE);
        b.nextDelayNanos();
        assertThat(b.nextDelayNanos()).isEqualTo(Long.MAX_VALUE);
    }
}
