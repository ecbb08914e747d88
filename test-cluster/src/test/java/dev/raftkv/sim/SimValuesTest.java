package dev.raftkv.sim;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Padded values carry their tag, follow from it alone, stay within the limit, and reach it a quarter of the time. */
class SimValuesTest {
    @Test
    void paddedValuesRoundTripAndReachTheLimit() {
        int max = 32_000;
        SimValues values = new SimValues(max);
        List<Integer> lengths = new ArrayList<>();
        for (int i = 1; i <= 400; i++) {
            String tag = "c" + (i % 4) + "-" + i;
            byte[] v = values.encode(tag);
            assertThat(values.tag(v)).isEqualTo(tag);
            assertThat(values.encode(tag)).isEqualTo(v);
            lengths.add(v.length);
        }
        assertThat(lengths).allMatch(n -> n <= max);
        assertThat(lengths.stream().filter(n -> n == max).count()).isBetween(60L, 140L);
        assertThat(lengths.stream().filter(n -> n < max / 2).count()).isPositive();
        assertThat(SimValues.TAGS_ONLY.encode("c1-7")).isEqualTo("c1-7".getBytes());
        assertThat(values.encode(null)).isNull();
        assertThat(values.tag(null)).isNull();
    }

    @Test
    void theSimulatedWireRefusesWhatARealFrameCannotCarry() {
        SimNetwork net = new SimNetwork(new java.util.Random(1), new SimNetwork.Conditions(0, 0, 1, 2),
                Simulation.MAX_ENTRY_BYTES, Simulation.MAX_FRAME_BYTES);
        var fits = new dev.raftkv.raft.Message.AppendEntries("n1", "n2", 1, 0, 0,
                List.of(dev.raftkv.raft.Entry.normal(1, 1, new byte[Simulation.MAX_ENTRY_BYTES])), 0);
        var tooBig = new dev.raftkv.raft.Message.AppendEntries("n1", "n2", 1, 0, 0,
                List.of(dev.raftkv.raft.Entry.normal(1, 1, new byte[Simulation.MAX_ENTRY_BYTES / 2]),
                        dev.raftkv.raft.Entry.normal(1, 2, new byte[Simulation.MAX_ENTRY_BYTES / 2 + 1])), 0);
        assertThat(net.refusal(fits)).isNull();
        assertThat(net.refusal(tooBig)).contains("bytes of entry data, limit " + Simulation.MAX_ENTRY_BYTES);
    }
}
