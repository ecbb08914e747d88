package dev.raftkv.node;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class HeapUsageTest {
    @Test
    void thePeakAfterCollectionsCountsWhatACollectionCouldNotFree() {
        HeapUsage.watchCollections();
        byte[][] kept = new byte[16][];
        for (int i = 0; i < kept.length; i++) kept[i] = new byte[1 << 20];
        System.gc(); // the collection's notification arrives on another thread
        await().atMost(Duration.ofSeconds(10)).until(() -> HeapUsage.read().peakAfterGcBytes() >= 16L << 20);
        HeapUsage now = HeapUsage.read();
        assertThat(now.peakAfterGcBytes()).isLessThanOrEqualTo(now.maxBytes());
        assertThat(kept[15]).hasSize(1 << 20);
    }
}
