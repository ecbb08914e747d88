package dev.raftkv.transport;

import dev.raftkv.raft.ClusterConfig;
import dev.raftkv.raft.Entry;
import dev.raftkv.raft.EntryType;
import dev.raftkv.raft.Message;
import dev.raftkv.raft.SnapshotMeta;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Generators of arbitrary messages, shared by the codec round trip and the decoder fuzz properties. */
final class MessageArbitraries {
    private MessageArbitraries() {
    }

    /** Ids of any Unicode (no lone surrogates: they are not text), empty ones included, within 255 UTF-8 bytes. */
    static Arbitrary<String> ids() {
        Arbitrary<String> unicode = Arbitraries.integers().between(0, Character.MAX_CODE_POINT)
                .filter(cp -> cp < Character.MIN_SURROGATE || cp > Character.MAX_SURROGATE)
                .list().ofMaxSize(60)
                .map(cps -> new String(cps.stream().mapToInt(Integer::intValue).toArray(), 0, cps.size()));
        Arbitrary<String> plain = Arbitraries.strings().alpha().numeric().withChars('-', '.', ':').ofMinLength(1).ofMaxLength(20);
        Arbitrary<String> longest = Arbitraries.strings().withCharRange('a', 'z').ofLength(255);
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(5, plain), net.jqwik.api.Tuple.of(4, unicode), net.jqwik.api.Tuple.of(1, longest));
    }

    /** Any long: the codec does not judge values, the core does. */
    static Arbitrary<Long> longs() {
        return Arbitraries.oneOf(Arbitraries.longs(), Arbitraries.longs().between(0, 1000),
                Arbitraries.of(0L, -1L, Long.MAX_VALUE, Long.MIN_VALUE));
    }

    static Arbitrary<byte[]> data() {
        Arbitrary<byte[]> small = Arbitraries.bytes().array(byte[].class).ofMaxSize(64);
        Arbitrary<byte[]> large = Arbitraries.bytes().array(byte[].class).ofMinSize(10_000).ofMaxSize(100_000);
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(20, small), net.jqwik.api.Tuple.of(1, large),
                net.jqwik.api.Tuple.of(2, Arbitraries.just(null))); // null data: the record stores it as empty
    }

    static Arbitrary<Entry> entries() {
        return Combinators.combine(longs(), longs(), Arbitraries.of(EntryType.class), data()).as(Entry::new);
    }

    static Arbitrary<List<Entry>> entryLists() {
        return Arbitraries.oneOf(Arbitraries.just(List.of()), entries().list().ofMaxSize(10),
                entries().list().ofMinSize(100).ofMaxSize(400));
    }

    static Arbitrary<ClusterConfig> configs() {
        Arbitrary<Set<String>> voters = ids().set().ofMinSize(1).ofMaxSize(7);
        Arbitrary<Set<String>> learners = ids().set().ofMaxSize(4);
        return Combinators.combine(voters, learners).as((v, l) -> {
            Set<String> disjoint = new HashSet<>(l);
            disjoint.removeAll(v);
            // every other member gets an endpoint, so configs with and without them both occur
            java.util.Map<String, String> endpoints = new java.util.TreeMap<>();
            int i = 0;
            for (String id : v) if (i++ % 2 == 0) endpoints.put(id, "raft=127.0.0.1:" + (7000 + i) + ",http=" + id);
            return new ClusterConfig(v, disjoint, endpoints);
        });
    }

    static Arbitrary<SnapshotMeta> metas() {
        return Combinators.combine(longs(), longs(), configs()).as(SnapshotMeta::new);
    }

    static Arbitrary<Message.PreVoteRequest> preVoteRequests() {
        return Combinators.combine(ids(), ids(), longs(), longs(), longs()).as(Message.PreVoteRequest::new);
    }

    static Arbitrary<Message.PreVoteResponse> preVoteResponses() {
        return Combinators.combine(ids(), ids(), longs(), Arbitraries.of(true, false)).as(Message.PreVoteResponse::new);
    }

    static Arbitrary<Message.VoteRequest> voteRequests() {
        return Combinators.combine(ids(), ids(), longs(), longs(), longs(), Arbitraries.of(true, false))
                .as(Message.VoteRequest::new);
    }

    static Arbitrary<Message.VoteResponse> voteResponses() {
        return Combinators.combine(ids(), ids(), longs(), Arbitraries.of(true, false)).as(Message.VoteResponse::new);
    }

    static Arbitrary<Message.AppendEntries> appendEntries() {
        return Combinators.combine(ids(), ids(), longs(), longs(), longs(), entryLists(), longs())
                .as(Message.AppendEntries::new);
    }

    static Arbitrary<Message.AppendResponse> appendResponses() {
        return Combinators.combine(ids(), ids(), longs(), Arbitraries.of(true, false), longs(), longs(), longs())
                .as(Message.AppendResponse::new);
    }

    static Arbitrary<Message.Heartbeat> heartbeats() {
        return Combinators.combine(ids(), ids(), longs(), longs(), longs()).as(Message.Heartbeat::new);
    }

    static Arbitrary<Message.HeartbeatResponse> heartbeatResponses() {
        return Combinators.combine(ids(), ids(), longs(), longs(), longs()).as(Message.HeartbeatResponse::new);
    }

    static Arbitrary<Message.Repaired> repaireds() {
        return Combinators.combine(ids(), ids(), longs(), longs(), longs()).as(Message.Repaired::new);
    }

    static Arbitrary<Message.InstallSnapshot> installSnapshots() {
        return Combinators.combine(ids(), ids(), longs(), metas()).as(Message.InstallSnapshot::new);
    }

    static Arbitrary<Message.TimeoutNow> timeoutNows() {
        return Combinators.combine(ids(), ids(), longs()).as(Message.TimeoutNow::new);
    }

    static Arbitrary<Message> messages() {
        return Arbitraries.oneOf(preVoteRequests(), preVoteResponses(), voteRequests(), voteResponses(),
                appendEntries(), appendResponses(), heartbeats(), heartbeatResponses(), installSnapshots(),
                timeoutNows(), repaireds());
    }
}
