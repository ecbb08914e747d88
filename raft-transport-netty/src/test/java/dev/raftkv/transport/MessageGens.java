package dev.raftkv.transport;

import dev.raftkv.raft.ClusterConfig;
import dev.raftkv.raft.Entry;
import dev.raftkv.raft.EntryType;
import dev.raftkv.raft.Message;
import dev.raftkv.raft.SnapshotMeta;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

import static org.quicktheories.api.Pair.of;
import static org.quicktheories.generators.SourceDSL.arbitrary;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.strings;

/**
 * QuickTheories generators of arbitrary messages, shared by the codec round trip, refusal and decoder fuzz
 * properties. Every generator is composed from QuickTheories' own ({@code zip}, {@code map},
 * {@code Generate.frequency}...), so a failing value shrinks through its random precursor; a message with more
 * fields than {@link Gen#zip} takes (five) is a {@code Gen} lambda drawing each field from the same source in
 * field order, which is what {@code zip} does. The edge cases jqwik added by itself (empty ids, lists and arrays,
 * 255-byte ids, the extreme longs, null data) are drawn here on purpose, by weight, not left to the library.
 */
final class MessageGens {
    /**
     * Shrink cycles for every property of this module. QuickTheories' default is 100 per example of
     * QT_EXAMPLES (100,000), each cycle a run of the property: a failing fuzz property would then shrink for an
     * hour. A few thousand cycles reach a small counterexample for these properties.
     */
    static final int SHRINK_CYCLES = 2_000;

    private MessageGens() {
    }

    /**
     * Sizes from {@code min} to {@code max}, nine times in ten from the smallest sixteenth of the range. Like
     * jqwik's sizes, most values are small, so that a property's cost stays what it was (the fuzz properties do
     * work quadratic in a body's length), while the largest sizes still occur. Short ranges stay uniform.
     */
    static Gen<Integer> sizes(int min, int max) {
        if (max - min < 32) return integers().between(min, max);
        return Generate.frequency(of(9, integers().between(min, min + (max - min) / 16)), of(1, integers().between(min, max)));
    }

    /** Ids of any Unicode (no lone surrogates: they are not text), empty ones included, within 255 UTF-8 bytes. */
    static Gen<String> ids() {
        Gen<String> plain = lists().of(arbitrary().pick(PLAIN_CHARS)).ofSizes(sizes(1, 20)).map(MessageGens::join);
        Gen<String> unicode = text(60, Character.MAX_CODE_POINT); // 60 code points of at most 4 bytes: 240
        Gen<String> longest = strings().betweenCodePoints('a', 'z').ofLength(255);
        return Generate.frequency(of(50, plain), of(37, unicode), of(10, longest), of(3, Generate.constant("")));
    }

    private static final List<Character> PLAIN_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.:"
            .chars().mapToObj(c -> (char) c).toList();

    private static String join(List<Character> chars) {
        StringBuilder s = new StringBuilder(chars.size());
        chars.forEach(s::append);
        return s.toString();
    }

    /**
     * Text of up to {@code maxCodePoints} code points up to {@code maxCodePoint}, none a surrogate. Each code
     * point first picks its UTF-8 width (1 to 4 bytes) so that every width occurs, where a uniform draw over all
     * of Unicode would give 4-byte ones nearly always.
     */
    static Gen<String> text(int maxCodePoints, int maxCodePoint) {
        Gen<Integer> oneByte = integers().between(0, 0x7F);
        Gen<Integer> twoBytes = integers().between(0x80, 0x7FF);
        // the surrogates (0xD800-0xDFFF) are cut out of the range, not filtered
        Gen<Integer> threeBytes = integers().between(0x800, Math.min(maxCodePoint, 0xFFFF) - 0x800)
                .map(cp -> cp < Character.MIN_SURROGATE ? cp : cp + 0x800);
        Gen<Integer> codePoint = maxCodePoint > 0xFFFF
                ? Generate.oneOf(oneByte, twoBytes, threeBytes, integers().between(0x10000, maxCodePoint))
                : Generate.oneOf(oneByte, twoBytes, threeBytes);
        return lists().of(codePoint).ofSizes(sizes(0, maxCodePoints))
                .map(cps -> new String(cps.stream().mapToInt(Integer::intValue).toArray(), 0, cps.size()));
    }

    /** Any long: the codec does not judge values, the core does. */
    static Gen<Long> longs() {
        return Generate.frequency(of(2, org.quicktheories.generators.SourceDSL.longs().between(0, 1000)),
                of(2, org.quicktheories.generators.SourceDSL.longs().all()),
                of(1, arbitrary().pick(0L, -1L, 1L, Long.MAX_VALUE, Long.MIN_VALUE)));
    }

    /** Byte arrays of {@code min} to {@code max} bytes, each byte drawn (and shrunk) on its own. */
    static Gen<byte[]> bytes(int min, int max) {
        return Generate.byteArrays(sizes(min, max), Generate.bytes(Byte.MIN_VALUE, Byte.MAX_VALUE, (byte) 0));
    }

    /**
     * Byte arrays of {@code min} to {@code max} bytes filled from a drawn seed: a precursor of one long per
     * byte would cost some 40 bytes of bookkeeping for each byte of data, and the content of a large array does
     * not matter to the codec. The length and the seed still shrink.
     */
    static Gen<byte[]> seededBytes(int min, int max) {
        return sizes(min, max).zip(org.quicktheories.generators.SourceDSL.longs().all(), (size, seed) -> {
            byte[] b = new byte[size];
            new Random(seed).nextBytes(b);
            return b;
        }).describedAs(b -> "byte[" + b.length + "]");
    }

    static Gen<byte[]> data() {
        return Generate.frequency(of(20, bytes(0, 64)), of(1, seededBytes(10_000, 100_000)),
                of(2, Generate.constant((byte[]) null))); // null data: the record stores it as empty
    }

    static Gen<Entry> entries() {
        return longs().zip(longs(), arbitrary().enumValues(EntryType.class), data(), Entry::new);
    }

    static Gen<List<Entry>> entryLists() {
        return Generate.oneOf(Generate.constant(List.of()), lists().of(entries()).ofSizes(sizes(0, 10)),
                lists().of(entries()).ofSizes(sizes(100, 400)));
    }

    static Gen<ClusterConfig> configs() {
        Gen<Set<String>> voters = lists().of(ids()).ofSizes(sizes(1, 7)).map(ids -> new LinkedHashSet<>(ids));
        Gen<Set<String>> learners = lists().of(ids()).ofSizes(sizes(0, 4)).map(ids -> new LinkedHashSet<>(ids));
        return voters.zip(learners, (v, l) -> {
            Set<String> disjoint = new HashSet<>(l);
            disjoint.removeAll(v);
            // every other member gets an endpoint, so configs with and without them both occur
            Map<String, String> endpoints = new TreeMap<>();
            int i = 0;
            for (String id : v) if (i++ % 2 == 0) endpoints.put(id, "raft=127.0.0.1:" + (7000 + i) + ",http=" + id);
            return new ClusterConfig(v, disjoint, endpoints);
        });
    }

    static Gen<SnapshotMeta> metas() {
        return longs().zip(longs(), configs(), SnapshotMeta::new);
    }

    static Gen<Message.PreVoteRequest> preVoteRequests() {
        return ids().zip(ids(), longs(), longs(), longs(), Message.PreVoteRequest::new);
    }

    static Gen<Message.PreVoteResponse> preVoteResponses() {
        return ids().zip(ids(), longs(), booleans().all(), Message.PreVoteResponse::new);
    }

    static Gen<Message.VoteRequest> voteRequests() {
        Gen<String> id = ids();
        Gen<Long> n = longs();
        Gen<Boolean> flag = booleans().all();
        return in -> new Message.VoteRequest(id.generate(in), id.generate(in), n.generate(in), n.generate(in),
                n.generate(in), flag.generate(in));
    }

    static Gen<Message.VoteResponse> voteResponses() {
        return ids().zip(ids(), longs(), booleans().all(), Message.VoteResponse::new);
    }

    static Gen<Message.AppendEntries> appendEntries() {
        Gen<String> id = ids();
        Gen<Long> n = longs();
        Gen<List<Entry>> entries = entryLists();
        return in -> new Message.AppendEntries(id.generate(in), id.generate(in), n.generate(in), n.generate(in),
                n.generate(in), entries.generate(in), n.generate(in));
    }

    static Gen<Message.AppendResponse> appendResponses() {
        Gen<String> id = ids();
        Gen<Long> n = longs();
        Gen<Boolean> flag = booleans().all();
        return in -> new Message.AppendResponse(id.generate(in), id.generate(in), n.generate(in), flag.generate(in),
                n.generate(in), n.generate(in), n.generate(in));
    }

    static Gen<Message.Heartbeat> heartbeats() {
        return ids().zip(ids(), longs(), longs(), longs(), Message.Heartbeat::new);
    }

    static Gen<Message.HeartbeatResponse> heartbeatResponses() {
        return ids().zip(ids(), longs(), longs(), longs(), Message.HeartbeatResponse::new);
    }

    static Gen<Message.Repaired> repaireds() {
        return ids().zip(ids(), longs(), longs(), longs(), Message.Repaired::new);
    }

    static Gen<Message.InstallSnapshot> installSnapshots() {
        return ids().zip(ids(), longs(), metas(), Message.InstallSnapshot::new);
    }

    static Gen<Message.TimeoutNow> timeoutNows() {
        return ids().zip(ids(), longs(), Message.TimeoutNow::new);
    }

    /** Any message, each type equally likely. */
    static Gen<Message> messages() {
        return Generate.oneOf(message(preVoteRequests()), message(preVoteResponses()), message(voteRequests()),
                message(voteResponses()), message(appendEntries()), message(appendResponses()), message(heartbeats()),
                message(heartbeatResponses()), message(installSnapshots()), message(timeoutNows()),
                message(repaireds()));
    }

    /** A generator of one message type as one of messages (Gen is invariant in its type). */
    static Gen<Message> message(Gen<? extends Message> gen) {
        return gen.map(m -> (Message) m);
    }
}
