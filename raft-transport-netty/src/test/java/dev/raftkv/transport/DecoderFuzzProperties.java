package dev.raftkv.transport;

import dev.raftkv.raft.Entry;
import dev.raftkv.raft.Message;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

import java.lang.management.ManagementFactory;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.arbitrary;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

/**
 * Whatever bytes arrive, every decoder either returns a value or throws MalformedFrameException: never
 * another exception, and never an allocation sized by a length the frame does not back. The last is
 * measured: the bytes this thread allocates while decoding stay within a constant factor of the frame
 * (objects cost more than their wire form; a 2 GiB claim would show as 2 GiB).
 * (To replay a failure with its seed, see {@link RaftCodecProperties}.)
 */
class DecoderFuzzProperties {
    private static final int MAX_FRAME = 32 * 1024 * 1024;
    /** Per wire byte: an empty entry is 21 bytes on the wire and ~100 as objects; a short id about 20x. */
    private static final long ALLOCATION_FACTOR = 64;
    /** Exceptions with their stack traces, a decoder's fixed objects. */
    private static final long ALLOCATION_SLACK = 256 * 1024;

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final RaftCodec CODEC = new RaftCodec();

    @BeforeAll
    static void warmUp() {
        // class loading allocates on the calling thread; do it before anything is measured
        for (Message m : List.of(new Message.TimeoutNow("a", "b", 1),
                new Message.AppendEntries("a", "b", 1, 0, 0, List.of(Entry.normal(1, 1, new byte[3])), 0))) {
            byte[] body = body(m);
            decodeEveryWay(body);
            decodeEveryWay(new byte[]{body[0]});
        }
    }

    // ---------------------------------------------------------------- properties

    @Test
    void randomBytes() {
        qt().withExamples(2000).withShrinkCycles(MessageGens.SHRINK_CYCLES).forAll(noise())
                .checkAssert(DecoderFuzzProperties::decodeEveryWay);
    }

    @Test
    void theShortestBodiesDecodeEveryWay() {
        // the edge cases jqwik's byte arrays started with: nothing, and each single byte
        decodeEveryWay(new byte[0]);
        for (int b = Byte.MIN_VALUE; b <= Byte.MAX_VALUE; b++) decodeEveryWay(new byte[]{(byte) b});
    }

    @Test
    void everyTruncationOfAValidBodyIsRefused() {
        qt().withExamples(300).withShrinkCycles(MessageGens.SHRINK_CYCLES).forAll(bodies(), longs().all())
                .checkAssert((body, seed) -> {
                    for (int length : cutPoints(body.length, new Random(seed))) {
                        byte[] cut = java.util.Arrays.copyOf(body, length);
                        // every field is required, so no proper prefix of a body is a whole one
                        assertThatThrownBy(() -> decodeAsPeerFrame(cut)).isInstanceOf(MalformedFrameException.class);
                        decodeEveryWay(cut);
                    }
                });
    }

    @Test
    void everySingleBitFlipOfAValidFrame() {
        qt().withExamples(100).withShrinkCycles(MessageGens.SHRINK_CYCLES).withGenerateAttempts(SMALL_BODY_ATTEMPTS)
                .forAll(smallBodies()).checkAssert(body -> {
                    byte[] frame = frame(body);
                    for (int bit = 0; bit < frame.length * 8; bit++) {
                        byte[] flipped = frame.clone();
                        flipped[bit / 8] ^= (byte) (1 << (bit % 8));
                        readFrameThenDecode(flipped);
                    }
                });
    }

    @Test
    void hugeLengthsAnywhereInABody() {
        qt().withExamples(100).withShrinkCycles(MessageGens.SHRINK_CYCLES).withGenerateAttempts(SMALL_BODY_ATTEMPTS)
                .forAll(smallBodies(), hugeInts()).checkAssert((body, huge) -> {
                    // wherever a count or length sits, some window covers it
                    for (int at = 0; at + 4 <= body.length; at++) {
                        byte[] patched = body.clone();
                        patched[at] = (byte) (huge >>> 24);
                        patched[at + 1] = (byte) (huge >>> 16);
                        patched[at + 2] = (byte) (huge >>> 8);
                        patched[at + 3] = (byte) (int) huge;
                        decodeEveryWay(patched);
                    }
                    for (int at = 0; at + 2 <= body.length; at++) {
                        byte[] patched = body.clone();
                        patched[at] = (byte) 0xFF;
                        patched[at + 1] = (byte) 0xFF;
                        decodeEveryWay(patched);
                    }
                });
    }

    @Test
    void hugeFrameLengthPrefixesAreRefusedBeforeAnyWait() {
        Map<String, Integer> outcomes = new TreeMap<>();
        qt().withExamples(200).withShrinkCycles(MessageGens.SHRINK_CYCLES).forAll(hugeInts(), noise())
                .checkAssert((length, rest) -> {
                    ByteBuf in = Unpooled.buffer().writeInt(length).writeBytes(rest);
                    try {
                        if (length < 1 || length > MAX_FRAME) {
                            outcomes.merge("refused", 1, Integer::sum);
                            assertThatThrownBy(() -> Framing.readFrame(in, MAX_FRAME)).isInstanceOf(MalformedFrameException.class);
                        } else if (rest.length < length) {
                            outcomes.merge("waits", 1, Integer::sum);
                            assertThat(Framing.readFrame(in, MAX_FRAME)).isNull(); // waits: the bytes are not there yet
                        } else {
                            outcomes.merge("read", 1, Integer::sum);
                            ByteBuf body = Framing.readFrame(in, MAX_FRAME);
                            assertThat(body.readableBytes()).isEqualTo(length);
                            body.release();
                        }
                    } catch (MalformedFrameException e) {
                        throw new AssertionError(e);
                    } finally {
                        in.release();
                    }
                });
        assertThat(outcomes).as("every branch is tried").containsOnlyKeys("refused", "waits", "read");
    }

    // ---------------------------------------------------------------- decoding as the transport does

    /** Every decoder on the same bytes: as a first frame (hello) and as any later frame type. */
    private static void decodeEveryWay(byte[] body) {
        bounded(body.length, () -> Hello.decode(Unpooled.wrappedBuffer(body)));
        bounded(body.length, () -> HandshakeFrames.decode(Unpooled.wrappedBuffer(body)));
        bounded(body.length, () -> CODEC.decode(Unpooled.wrappedBuffer(body)));
        bounded(body.length, () -> SnapshotBegin.decode(CODEC, Unpooled.wrappedBuffer(body)));
        bounded(body.length, () -> SnapshotChunk.decode(Unpooled.wrappedBuffer(body)));
    }

    /** What InboundPeerHandler does with a frame after the hello. */
    private static Object decodeAsPeerFrame(byte[] body) throws MalformedFrameException {
        ByteBuf buf = Unpooled.wrappedBuffer(body);
        if (body.length > 0 && body[0] == WireFormat.SNAPSHOT_BEGIN) return SnapshotBegin.decode(CODEC, buf);
        if (body.length > 0 && body[0] == WireFormat.SNAPSHOT_CHUNK) return SnapshotChunk.decode(buf);
        return CODEC.decode(buf);
    }

    private static void readFrameThenDecode(byte[] frame) {
        ByteBuf in = Unpooled.wrappedBuffer(frame);
        ByteBuf body;
        try {
            body = Framing.readFrame(in, MAX_FRAME);
        } catch (MalformedFrameException e) {
            return; // the connection would close
        }
        if (body == null) return; // a longer length: the connection would wait, then close at end of stream
        try {
            decodeEveryWay(ByteBufUtil.getBytes(body));
        } finally {
            body.release();
        }
    }

    private interface Decoding {
        Object decode() throws MalformedFrameException;
    }

    private static void bounded(int frameBytes, Decoding decoding) {
        long before = THREADS.getCurrentThreadAllocatedBytes();
        try {
            decoding.decode();
        } catch (MalformedFrameException e) {
            // the one allowed failure
        }
        long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
        assertThat(allocated).as("bytes allocated decoding a %d-byte frame", frameBytes)
                .isLessThanOrEqualTo(ALLOCATION_FACTOR * frameBytes + ALLOCATION_SLACK);
    }

    // ---------------------------------------------------------------- inputs

    private static byte[] body(Message m) {
        ByteBuf buf = Unpooled.buffer();
        CODEC.encode(m, buf);
        return ByteBufUtil.getBytes(buf);
    }

    private static byte[] frame(byte[] body) {
        return ByteBufUtil.getBytes(Unpooled.buffer().writeInt(body.length).writeBytes(body));
    }

    private static List<Integer> cutPoints(int length, Random random) {
        if (length <= 2048) return java.util.stream.IntStream.range(0, length).boxed().toList();
        // long bodies: every cut in the header region, then a sample of the rest
        java.util.stream.IntStream head = java.util.stream.IntStream.range(0, 512);
        java.util.stream.IntStream sample = random.ints(256, 512, length);
        return java.util.stream.IntStream.concat(head, sample).boxed().toList();
    }

    /** Bodies large enough to be refused by smallBodies() are rare, but a run of ten would give the try up. */
    private static final int SMALL_BODY_ATTEMPTS = 100;

    private static final List<Byte> TYPES = List.of((byte) 1, (byte) 2, (byte) 3, (byte) 4, (byte) 5, (byte) 6,
            (byte) 7, (byte) 8, (byte) 9, (byte) 10, WireFormat.SNAPSHOT_BEGIN, WireFormat.SNAPSHOT_CHUNK);

    static Gen<byte[]> noise() {
        Gen<byte[]> any = MessageGens.bytes(0, 300);
        // a known type byte up front gets the noise past the first check, into the fields
        Gen<byte[]> typed = arbitrary().pick(TYPES).zip(any, (type, rest) -> {
            byte[] b = new byte[rest.length + 1];
            b[0] = type;
            System.arraycopy(rest, 0, b, 1, rest.length);
            return b;
        });
        return hex(Generate.oneOf(any, typed));
    }

    static Gen<byte[]> bodies() {
        return hex(Generate.oneOf(MessageGens.messages().map(DecoderFuzzProperties::body), helloBodies(),
                snapshotBeginBodies(), snapshotChunkBodies()));
    }

    /** Short enough that every bit of them can be flipped in each try. */
    static Gen<byte[]> smallBodies() {
        return bodies().assuming(b -> b.length <= 600);
    }

    /** Extremes, any int, and lengths a few hundred bytes of noise can back (all three outcomes of a prefix). */
    static Gen<Integer> hugeInts() {
        return Generate.oneOf(arbitrary().pick(Integer.MAX_VALUE, Integer.MIN_VALUE, -1, 0, 1, MAX_FRAME, MAX_FRAME + 1, 1 << 30),
                integers().all(), integers().between(-2, 400));
    }

    private static Gen<byte[]> hex(Gen<byte[]> bytes) {
        // a failure shows the bytes it shrank to; of a long body, its head
        return bytes.describedAs(b -> b.length + " bytes: " + HexFormat.of().formatHex(b, 0, Math.min(b.length, 1024))
                + (b.length > 1024 ? "..." : ""));
    }

    private static Gen<byte[]> helloBodies() {
        return MessageGens.ids().zip(MessageGens.ids(), MessageGens.text(40, 0xFFFF), MessageGens.bytes(WireFormat.NONCE_BYTES, WireFormat.NONCE_BYTES),
                MessageGens.longs(), (from, to, cluster, nonce, incarnation) -> {
                    ByteBuf buf = Unpooled.buffer();
                    new Hello(cluster, from, to, nonce, incarnation).encode(buf);
                    return ByteBufUtil.getBytes(buf);
                });
    }

    private static Gen<byte[]> snapshotBeginBodies() {
        return MessageGens.longs().zip(longs().between(0, Long.MAX_VALUE), longs().between(0, 0xffffffffL),
                MessageGens.installSnapshots(), (id, size, crc, m) -> {
                    ByteBuf buf = Unpooled.buffer();
                    new SnapshotBegin(id, java.util.List.of(new dev.raftkv.raft.server.SnapshotFile("data", size, crc)), m).encode(CODEC, buf);
                    return ByteBufUtil.getBytes(buf);
                });
    }

    private static Gen<byte[]> snapshotChunkBodies() {
        return MessageGens.longs().zip(integers().between(0, 1000), booleans().all(), MessageGens.bytes(0, 200),
                (id, offset, last, data) -> {
                    ByteBuf frame = SnapshotChunk.frame(Unpooled.buffer().alloc(), id, offset, Unpooled.wrappedBuffer(data), last);
                    frame.skipBytes(Framing.LENGTH_BYTES);
                    byte[] body = ByteBufUtil.getBytes(frame);
                    frame.release();
                    return body;
                });
    }
}
