package dev.raftkv.transport;

import dev.raftkv.raft.Message;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link RaftCodec#refusal} says exactly what encoding into a frame says, without encoding: the simulator's
 * network refuses through it what the real transport refuses, so the two must never disagree.
 */
class RaftCodecRefusalProperties {
    @Provide
    Arbitrary<Integer> limits() {
        return Arbitraries.oneOf(Arbitraries.integers().between(600, 5_000),
                Arbitraries.integers().between(5_000, 400_000));
    }

    @Provide
    Arbitrary<Integer> frames() {
        return Arbitraries.oneOf(Arbitraries.integers().between(100, 3_000), Arbitraries.integers().between(3_000, 400_000));
    }

    @Property(tries = 500)
    void refusalAgreesWithEncodingIntoAFrame(@ForAll("messages") Message m, @ForAll("limits") int maxEntryBytes,
                                             @ForAll("frames") int maxFrameBytes) {
        RaftCodec codec = new RaftCodec(maxEntryBytes);
        String refusal = codec.refusal(m, maxFrameBytes);
        String thrown = null;
        try {
            ByteBuf frame = Framing.frame(UnpooledByteBufAllocator.DEFAULT, maxFrameBytes, body -> codec.encode(m, body));
            frame.release();
        } catch (IllegalArgumentException e) {
            thrown = e.getMessage();
        }
        Statistics.collect(refusal == null ? "carried" : refusal.startsWith("frame") ? "frame too long" : "too much entry data");
        Statistics.coverage(c -> {
            c.check("carried").percentage(p -> p > 10);
            c.check("frame too long").count(n -> n > 10);
            c.check("too much entry data").count(n -> n > 10);
        });
        if (m instanceof Message.AppendEntries) {
            assertThat(refusal).isEqualTo(thrown);
        } else {
            assertThat(refusal).isNull(); // only AppendEntries grows with its load; the rest fit any real frame
        }
    }

    @Provide
    Arbitrary<Message> messages() {
        return Arbitraries.oneOf(MessageArbitraries.appendEntries().map(m -> (Message) m), MessageArbitraries.appendEntries().map(m -> (Message) m),
                MessageArbitraries.heartbeats().map(m -> (Message) m), MessageArbitraries.voteRequests().map(m -> (Message) m));
    }
}
