package dev.raftkv.transport;

import dev.raftkv.raft.Entry;
import dev.raftkv.raft.Message;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;

/**
 * decode(encode(m)) equals m, for every message type and arbitrary field values.
 *
 * <p>The properties run on QuickTheories. A failure reports the smallest falsifying value it shrank to and
 * {@code Seed was N}; to replay exactly that run, give the seed as the system property {@code QT_SEED}
 * (QuickTheories' {@code Configuration.SEED}), which Maven hands to the forked test JVM:
 * <pre>
 * mvn -B test -o -pl raft-transport-netty -am -Dtest='RaftCodecProperties#appendEntries' \
 *     -Dsurefire.failIfNoSpecifiedTests=false -DQT_SEED=N
 * </pre>
 * Each property draws from its own generator seeded by QT_SEED, so rerun only the property that failed: the
 * same seed replays the same values for it whatever else runs. The same holds for {@link RaftCodecRefusalProperties}
 * and {@link DecoderFuzzProperties}.
 */
class RaftCodecProperties {
    private final RaftCodec codec = new RaftCodec();

    private Message roundTrip(Message m) {
        ByteBuf buf = Unpooled.buffer();
        try {
            codec.encode(m, buf);
            return codec.decode(buf);
        } catch (MalformedFrameException e) {
            throw new AssertionError("the codec refuses what it encoded", e);
        } finally {
            buf.release();
        }
    }

    private static void count(Map<String, Integer> seen, Message.AppendEntries m) {
        List<Entry> entries = m.entries();
        seen.merge(entries.isEmpty() ? "no entries" : entries.size() >= 100 ? "100+ entries" : "some entries", 1, Integer::sum);
        if (entries.stream().anyMatch(e -> e.data().length == 0)) seen.merge("empty entry data", 1, Integer::sum);
        if (entries.stream().anyMatch(e -> e.data().length >= 10_000)) seen.merge("10 kB+ entry data", 1, Integer::sum);
    }

    @Test
    void preVoteRequest() {
        qt().withExamples(300).withShrinkCycles(MessageGens.SHRINK_CYCLES).forAll(MessageGens.preVoteRequests())
                .checkAssert(m -> assertThat(roundTrip(m)).isEqualTo(m));
    }

    @Test
    void preVoteResponse() {
        qt().withExamples(300).withShrinkCycles(MessageGens.SHRINK_CYCLES).forAll(MessageGens.preVoteResponses())
                .checkAssert(m -> assertThat(roundTrip(m)).isEqualTo(m));
    }

    @Test
    void voteRequest() {
        qt().withExamples(300).withShrinkCycles(MessageGens.SHRINK_CYCLES).forAll(MessageGens.voteRequests())
                .checkAssert(m -> assertThat(roundTrip(m)).isEqualTo(m));
    }

    @Test
    void voteResponse() {
        qt().withExamples(300).withShrinkCycles(MessageGens.SHRINK_CYCLES).forAll(MessageGens.voteResponses())
                .checkAssert(m -> assertThat(roundTrip(m)).isEqualTo(m));
    }

    @Test
    void appendEntries() {
        Map<String, Integer> seen = new TreeMap<>();
        qt().withExamples(200).withShrinkCycles(MessageGens.SHRINK_CYCLES).forAll(MessageGens.appendEntries())
                .checkAssert(m -> {
                    assertThat(roundTrip(m)).isEqualTo(m); // Entry.equals compares the data arrays
                    count(seen, m);
                });
        // the generator reaches the loads jqwik gave as edge cases: none, many, empty and large entry data
        assertThat(seen).containsOnlyKeys("no entries", "100+ entries", "empty entry data", "10 kB+ entry data",
                "some entries");
    }

    @Test
    void appendResponse() {
        qt().withExamples(300).withShrinkCycles(MessageGens.SHRINK_CYCLES).forAll(MessageGens.appendResponses())
                .checkAssert(m -> assertThat(roundTrip(m)).isEqualTo(m));
    }

    @Test
    void heartbeat() {
        qt().withExamples(300).withShrinkCycles(MessageGens.SHRINK_CYCLES).forAll(MessageGens.heartbeats())
                .checkAssert(m -> assertThat(roundTrip(m)).isEqualTo(m));
    }

    @Test
    void heartbeatResponse() {
        qt().withExamples(300).withShrinkCycles(MessageGens.SHRINK_CYCLES).forAll(MessageGens.heartbeatResponses())
                .checkAssert(m -> assertThat(roundTrip(m)).isEqualTo(m));
    }

    @Test
    void installSnapshot() {
        qt().withExamples(300).withShrinkCycles(MessageGens.SHRINK_CYCLES).forAll(MessageGens.installSnapshots())
                .checkAssert(m -> assertThat(roundTrip(m)).isEqualTo(m)); // meta, with voters and learners
    }

    @Test
    void timeoutNow() {
        qt().withExamples(300).withShrinkCycles(MessageGens.SHRINK_CYCLES).forAll(MessageGens.timeoutNows())
                .checkAssert(m -> assertThat(roundTrip(m)).isEqualTo(m));
    }

    @Test
    void repaired() {
        qt().withExamples(300).withShrinkCycles(MessageGens.SHRINK_CYCLES).forAll(MessageGens.repaireds())
                .checkAssert(m -> assertThat(roundTrip(m)).isEqualTo(m)); // the repair id may be any long, negative too
    }

    @Test
    void everyMessageTypeHasAPropertyAbove() {
        // a new Message record without a property here would slip through: each type has its own, by name
        Set<String> properties = Arrays.stream(getClass().getDeclaredMethods())
                .filter(method -> method.isAnnotationPresent(Test.class)).map(Method::getName).collect(Collectors.toSet());
        Set<String> types = Arrays.stream(Message.class.getPermittedSubclasses())
                .map(type -> Character.toLowerCase(type.getSimpleName().charAt(0)) + type.getSimpleName().substring(1))
                .collect(Collectors.toSet());
        assertThat(properties).containsAll(types);
    }

    @Test
    void anyMessageRoundTripsAndTheMixReachesEveryType() {
        // the generator the fuzz and the refusal properties draw from: every type occurs in it
        Set<Class<?>> seen = new HashSet<>();
        Set<String> ids = new HashSet<>();
        qt().withExamples(300).withShrinkCycles(MessageGens.SHRINK_CYCLES).forAll(MessageGens.messages())
                .checkAssert(m -> {
                    assertThat(roundTrip(m)).isEqualTo(m);
                    seen.add(m.getClass());
                    ids.add(kind(m.from()));
                    ids.add(kind(m.to()));
                });
        assertThat(seen).containsExactlyInAnyOrder(Message.class.getPermittedSubclasses());
        assertThat(ids).contains("empty", "255 bytes", "ASCII", "2-byte", "3-byte", "4-byte");
    }

    /** The kind of id, for the coverage above: its edge or its widest UTF-8 character. */
    private static String kind(String id) {
        if (id.isEmpty()) return "empty";
        if (id.getBytes(java.nio.charset.StandardCharsets.UTF_8).length == 255) return "255 bytes";
        int widest = id.codePoints().max().getAsInt();
        return widest < 0x80 ? "ASCII" : widest < 0x800 ? "2-byte" : widest < 0x10000 ? "3-byte" : "4-byte";
    }

    @Test
    void entryDataOverTheLimitIsRefusedBySenderAndReceiver() {
        Message big = new Message.AppendEntries("a", "b", 1, 0, 0,
                List.of(Entry.normal(1, 1, new byte[600]), Entry.normal(1, 2, new byte[600])), 0);
        assertThatThrownBy(() -> new RaftCodec(1000).encode(big, Unpooled.buffer()))
                .isInstanceOf(IllegalArgumentException.class);

        ByteBuf buf = Unpooled.buffer();
        new RaftCodec(2000).encode(big, buf);
        assertThatThrownBy(() -> new RaftCodec(1000).decode(buf))
                .isInstanceOf(MalformedFrameException.class).hasMessageContaining("entry data");
    }

    @Test
    void idsTheWireCannotCarryAreRefusedWhenEncoding() {
        String tooLong = "x".repeat(256);
        assertThatThrownBy(() -> codec.encode(new Message.TimeoutNow(tooLong, "b", 1), Unpooled.buffer()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("255");
        String loneSurrogate = "a\uD800b";
        assertThatThrownBy(() -> codec.encode(new Message.TimeoutNow("a", loneSurrogate, 1), Unpooled.buffer()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Unicode");
    }
}
