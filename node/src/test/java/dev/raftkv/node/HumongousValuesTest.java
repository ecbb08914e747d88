package dev.raftkv.node;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class HumongousValuesTest {
    private static final long MIB = 1024 * 1024;

    @Test
    void aMebibyteValueIsHumongousInTheRegionsG1PicksForA512MebibyteHeap() {
        assertThat(HumongousValues.warning(MIB, MIB)).contains("humongous", "-XX:G1HeapRegionSize=4m");
        assertThat(HumongousValues.warning(MIB, 2 * MIB)).contains("-XX:G1HeapRegionSize=4m");
    }

    @Test
    void regionsOfMoreThanTwiceTheValueOrAnotherCollectorNeedNoWarning() {
        assertThat(HumongousValues.warning(MIB, 4 * MIB)).isNull();
        assertThat(HumongousValues.warning(100_000, MIB)).isNull();
        assertThat(HumongousValues.warning(MIB, 0)).isNull();
    }

    @Test
    void theRegionFlagThatClusterUpPassesIsEnoughForTheDefaultValueLimit() {
        long fourMib = 4 * MIB;
        assertThat(HumongousValues.REGION_FLAG).endsWith("=4m");
        assertThat(HumongousValues.warning(MIB + 4096, fourMib)).isNull();
    }
}
