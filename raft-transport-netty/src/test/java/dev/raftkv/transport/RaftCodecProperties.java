package dev.raftkv.transport;

import dev.raftkv.raft.Entry;
import dev.raftkv.raft.Message;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** decode(encode(m)) equals m, for every message type and arbitrary field values. */
class RaftCodecProperties {
    private final RaftCodec codec = new RaftCodec();

    private Message roundTrip(Message m) throws MalformedFrameException {
        ByteBuf buf = Unpooled.buffer();
        try {
            codec.encode(m, buf);
            return codec.decode(buf);
        } finally {
            buf.release();
        }
    }

    @Property(tries = 300)
    void preVoteRequest(@ForAll("preVoteRequests") Message m) throws Exception {
        assertThat(roundTrip(m)).isEqualTo(m);
    }

    @Property(tries = 300)
    void preVoteResponse(@ForAll("preVoteResponses") Message m) throws Exception {
        assertThat(roundTrip(m)).isEqualTo(m);
    }

    @Property(tries = 300)
    void voteRequest(@ForAll("voteRequests") Message m) throws Exception {
        assertThat(roundTrip(m)).isEqualTo(m);
    }

    @Property(tries = 300)
    void voteResponse(@ForAll("voteResponses") Message m) throws Exception {
        assertThat(roundTrip(m)).isEqualTo(m);
    }

    @Property(tries = 200)
    void appendEntries(@ForAll("appendEntries") Message m) throws Exception {
        assertThat(roundTrip(m)).isEqualTo(m); // Entry.equals compares the data arrays
    }

    @Property(tries = 300)
    void appendResponse(@ForAll("appendResponses") Message m) throws Exception {
        assertThat(roundTrip(m)).isEqualTo(m);
    }

    @Property(tries = 300)
    void heartbeat(@ForAll("heartbeats") Message m) throws Exception {
        assertThat(roundTrip(m)).isEqualTo(m);
    }

    @Property(tries = 300)
    void heartbeatResponse(@ForAll("heartbeatResponses") Message m) throws Exception {
        assertThat(roundTrip(m)).isEqualTo(m);
    }

    @Property(tries = 300)
    void installSnapshot(@ForAll("installSnapshots") Message m) throws Exception {
        assertThat(roundTrip(m)).isEqualTo(m); // meta, with voters and learners
    }

    @Property(tries = 300)
    void timeoutNow(@ForAll("timeoutNows") Message m) throws Exception {
        assertThat(roundTrip(m)).isEqualTo(m);
    }

    @Property(tries = 300)
    void repaired(@ForAll("repaireds") Message m) throws Exception {
        assertThat(roundTrip(m)).isEqualTo(m); // the repair id may be any long, negative too
    }

    @Example
    void everyMessageTypeHasAPropertyAbove() {
        // a new Message record without a property here would slip through: count them
        long properties = Arrays.stream(getClass().getDeclaredMethods())
                .filter(method -> method.isAnnotationPresent(Property.class)).count();
        assertThat(Message.class.getPermittedSubclasses()).hasSize((int) properties);
    }

    @Example
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

    @Example
    void idsTheWireCannotCarryAreRefusedWhenEncoding() {
        String tooLong = "x".repeat(256);
        assertThatThrownBy(() -> codec.encode(new Message.TimeoutNow(tooLong, "b", 1), Unpooled.buffer()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("255");
        String loneSurrogate = "a\uD800b";
        assertThatThrownBy(() -> codec.encode(new Message.TimeoutNow("a", loneSurrogate, 1), Unpooled.buffer()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Unicode");
    }

    @Provide
    Arbitrary<Message> preVoteRequests() {
        return MessageArbitraries.preVoteRequests().map(m -> m);
    }

    @Provide
    Arbitrary<Message> preVoteResponses() {
        return MessageArbitraries.preVoteResponses().map(m -> m);
    }

    @Provide
    Arbitrary<Message> voteRequests() {
        return MessageArbitraries.voteRequests().map(m -> m);
    }

    @Provide
    Arbitrary<Message> voteResponses() {
        return MessageArbitraries.voteResponses().map(m -> m);
    }

    @Provide
    Arbitrary<Message> appendEntries() {
        return MessageArbitraries.appendEntries().map(m -> m);
    }

    @Provide
    Arbitrary<Message> appendResponses() {
        return MessageArbitraries.appendResponses().map(m -> m);
    }

    @Provide
    Arbitrary<Message> heartbeats() {
        return MessageArbitraries.heartbeats().map(m -> m);
    }

    @Provide
    Arbitrary<Message> heartbeatResponses() {
        return MessageArbitraries.heartbeatResponses().map(m -> m);
    }

    @Provide
    Arbitrary<Message> installSnapshots() {
        return MessageArbitraries.installSnapshots().map(m -> m);
    }

    @Provide
    Arbitrary<Message> timeoutNows() {
        return MessageArbitraries.timeoutNows().map(m -> m);
    }

    @Provide
    Arbitrary<Message> repaireds() {
        return MessageArbitraries.repaireds().map(m -> m);
    }
}
