package dev.raftkv.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class FrameDecoderTest {
    private final AtomicInteger badLengths = new AtomicInteger();
    private final EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(100, badLengths::incrementAndGet));

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    @Test
    void reassemblesFramesSplitAcrossReadsAndSplitsCoalescedOnes() {
        channel.writeInbound(Unpooled.wrappedBuffer(new byte[]{0, 0, 0, 3, 1}));
        Object nothingYet = channel.readInbound();
        assertThat(nothingYet).isNull();
        channel.writeInbound(Unpooled.wrappedBuffer(new byte[]{2, 3, 0, 0, 0, 1, 9}));
        ByteBuf first = channel.readInbound();
        ByteBuf second = channel.readInbound();
        assertThat(first.readableBytes()).isEqualTo(3);
        assertThat(second.readByte()).isEqualTo((byte) 9);
        first.release();
        second.release();
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void anOversizedLengthClosesTheConnectionWithoutWaitingForTheBytes() {
        channel.writeInbound(Unpooled.wrappedBuffer(new byte[]{0, 0, 0, 101}));
        assertThat(channel.isOpen()).isFalse();
        assertThat(badLengths).hasValue(1);
    }

    @Test
    void aZeroOrNegativeLengthClosesTheConnection() {
        channel.writeInbound(Unpooled.wrappedBuffer(new byte[]{(byte) 0xFF, 0, 0, 0}));
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void theFixedLimitDecoderOfTheClientProtocolKeepsItsLimitAndClosesTheSameWay() {
        EmbeddedChannel client = new EmbeddedChannel(new FrameDecoder(3));
        client.writeInbound(Unpooled.wrappedBuffer(new byte[]{0, 0, 0, 3, 7, 8, 9}));
        ByteBuf body = client.readInbound();
        assertThat(body.readableBytes()).isEqualTo(3);
        body.release();
        client.writeInbound(Unpooled.wrappedBuffer(new byte[]{0, 0, 0, 4}));
        assertThat(client.isOpen()).isFalse();
        client.finishAndReleaseAll();
    }

    @Test
    void aRaisedLimitAcceptsTheLargerFramesAProvenPeerSends() {
        FrameDecoder decoder = channel.pipeline().get(FrameDecoder.class);
        decoder.limit(200);
        channel.writeInbound(Unpooled.wrappedBuffer(new byte[]{0, 0, 0, (byte) 150}), Unpooled.wrappedBuffer(new byte[150]));
        ByteBuf body = channel.readInbound();
        assertThat(body.readableBytes()).isEqualTo(150);
        body.release();
        assertThat(badLengths).hasValue(0);
    }
}
