package dev.raftkv.transport;

import dev.raftkv.raft.Message;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.arbitrary;
import static org.quicktheories.generators.SourceDSL.integers;

/**
 * {@link RaftCodec#refusal} says exactly what encoding into a frame says, without encoding: the simulator's
 * network refuses through it what the real transport refuses, so the two must never disagree.
 * (To replay a failure with its seed, see {@link RaftCodecProperties}.)
 */
class RaftCodecRefusalProperties {
    // with the bounds as values of their own, as jqwik drew them as edge cases: the smallest frame is what
    // makes "frame too long" frequent, uniform draws alone give it barely ten times in 500
    static Gen<Integer> limits() {
        return Generate.oneOf(integers().between(600, 5_000), integers().between(5_000, 400_000),
                arbitrary().pick(600, 5_000, 400_000));
    }

    static Gen<Integer> frames() {
        return Generate.oneOf(integers().between(100, 3_000), integers().between(3_000, 400_000),
                arbitrary().pick(100, 3_000, 400_000));
    }

    /** Half AppendEntries, the one message that grows with its load; the rest must fit any real frame. */
    static Gen<Message> messages() {
        return Generate.oneOf(MessageGens.message(MessageGens.appendEntries()),
                MessageGens.message(MessageGens.appendEntries()), MessageGens.message(MessageGens.heartbeats()),
                MessageGens.message(MessageGens.voteRequests()));
    }

    @Test
    void refusalAgreesWithEncodingIntoAFrame() {
        Map<String, Integer> outcomes = new TreeMap<>();
        qt().withExamples(500).withShrinkCycles(MessageGens.SHRINK_CYCLES).forAll(messages(), limits(), frames())
                .checkAssert((m, maxEntryBytes, maxFrameBytes) -> {
                    RaftCodec codec = new RaftCodec(maxEntryBytes);
                    String refusal = codec.refusal(m, maxFrameBytes);
                    String thrown = null;
                    try {
                        ByteBuf frame = Framing.frame(UnpooledByteBufAllocator.DEFAULT, maxFrameBytes, body -> codec.encode(m, body));
                        frame.release();
                    } catch (IllegalArgumentException e) {
                        thrown = e.getMessage();
                    }
                    outcomes.merge(refusal == null ? "carried" : refusal.startsWith("frame") ? "frame too long" : "too much entry data",
                            1, Integer::sum);
                    if (m instanceof Message.AppendEntries) {
                        assertThat(refusal).isEqualTo(thrown);
                    } else {
                        assertThat(refusal).isNull(); // only AppendEntries grows with its load; the rest fit any real frame
                    }
                });
        // the coverage jqwik's statistics checked: the inputs reach each outcome
        int tries = outcomes.values().stream().mapToInt(Integer::intValue).sum();
        assertThat(outcomes.getOrDefault("carried", 0)).as("carried, of %d: %s", tries, outcomes).isGreaterThan(tries / 10);
        assertThat(outcomes.getOrDefault("frame too long", 0)).as("frame too long: %s", outcomes).isGreaterThan(10);
        assertThat(outcomes.getOrDefault("too much entry data", 0)).as("too much entry data: %s", outcomes).isGreaterThan(10);
    }
}
