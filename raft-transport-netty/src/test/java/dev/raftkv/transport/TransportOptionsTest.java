package dev.raftkv.transport;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Each with… copy changes what it names (and, for the frame, what must fit in it) and keeps every other component. */
class TransportOptionsTest {
    /** Every component differs from the defaults, so a copy that takes one from the wrong place shows. */
    private static final TransportOptions BASE = new TransportOptions(4 << 20, 3 << 20, 2 << 20, 123_456_789L,
            1000, 2000, Duration.ofMillis(7), Duration.ofMillis(70), Duration.ofMillis(700), Duration.ofMillis(7000), 3);

    @Test
    void aCopyKeepsWhatItDoesNotName() {
        assertThat(BASE.withHandshakeTimeout(Duration.ofMillis(9)))
                .isEqualTo(new TransportOptions(4 << 20, 3 << 20, 2 << 20, 123_456_789L, 1000, 2000, Duration.ofMillis(7),
                        Duration.ofMillis(70), Duration.ofMillis(700), Duration.ofMillis(9), 3));
        assertThat(BASE.withWriteBufferWaterMarks(10, 20))
                .isEqualTo(new TransportOptions(4 << 20, 3 << 20, 2 << 20, 123_456_789L, 10, 20, Duration.ofMillis(7),
                        Duration.ofMillis(70), Duration.ofMillis(700), Duration.ofMillis(7000), 3));
        assertThat(BASE.withSnapshotLimits(4096, 99L))
                .isEqualTo(new TransportOptions(4 << 20, 3 << 20, 4096, 99L, 1000, 2000, Duration.ofMillis(7),
                        Duration.ofMillis(70), Duration.ofMillis(700), Duration.ofMillis(7000), 3));
    }

    @Test
    void aSmallerFrameShrinksTheEntryDataAndTheChunkToFit() {
        TransportOptions small = BASE.withMaxFrameBytes(64 * 1024);
        assertThat(small.maxFrameBytes()).isEqualTo(64 * 1024);
        assertThat(small.maxEntryBytes()).isEqualTo(64 * 1024 - 1024);
        assertThat(small.snapshotChunkBytes()).isEqualTo(64 * 1024 - SnapshotChunk.HEADER_BYTES);
        assertThat(small.withMaxFrameBytes(4 << 20).maxEntryBytes()).as("a larger frame grows nothing back")
                .isEqualTo(64 * 1024 - 1024);
        assertThat(small.maxSnapshotBytes()).isEqualTo(123_456_789L);
        assertThat(small.ioThreads()).isEqualTo(3);
    }

    @Test
    void aCopyIsCheckedLikeAnyOtherRecord() {
        assertThatThrownBy(() -> BASE.withWriteBufferWaterMarks(20, 10)).isInstanceOf(IllegalArgumentException.class);
    }
}
