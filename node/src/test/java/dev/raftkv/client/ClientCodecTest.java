package dev.raftkv.client;

import dev.raftkv.client.ClientProtocol.Consistency;
import dev.raftkv.client.ClientProtocol.Op;
import dev.raftkv.client.ClientProtocol.Status;
import dev.raftkv.kv.Compare;
import dev.raftkv.kv.KeyRange;
import dev.raftkv.kv.KvCodec;
import dev.raftkv.kv.KvCommand;
import dev.raftkv.kv.KvQuery;
import dev.raftkv.kv.KvResult;
import dev.raftkv.kv.TxnOp;
import dev.raftkv.transport.MalformedFrameException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The frames of RANGE, DELETE_RANGE and TXN: round trips, and what a decoder does with bytes nobody vouches for. */
class ClientCodecTest {
    private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A frame's body (the length prefix cut off), as the FrameDecoder hands it on. */
    private static byte[] body(ByteBuf frame) {
        try {
            frame.skipBytes(4);
            return ByteBufUtil.getBytes(frame);
        } finally {
            frame.release();
        }
    }

    private static ClientRequest decodeRequest(byte[] body) throws Exception {
        return ClientCodec.decodeRequest(Unpooled.wrappedBuffer(body));
    }

    private static ClientResponse roundTrip(Op op, ClientResponse r) throws Exception {
        return ClientCodec.decodeResponse(Unpooled.wrappedBuffer(body(ClientCodec.encodeResponse(ALLOC, op, r))), op);
    }

    private static final KvCommand.Txn TXN = new KvCommand.Txn("kvc-1", 7,
            List.of(Compare.number("acct/a", Compare.Target.MOD_REVISION, Compare.Relation.EQUAL, 42), Compare.exists("lock", false),
                    Compare.value("acct/b", Compare.Relation.LESS, utf8("9"))),
            List.of(new TxnOp.Put("acct/a", utf8("7")), new TxnOp.Delete("acct/b"), new TxnOp.DeleteRange(KeyRange.prefix("tmp/")),
                    new TxnOp.Get("acct/a"), new TxnOp.Range(KeyRange.between("a", "b"), 10, true)),
            List.of(new TxnOp.Get("acct/a")));

    private static byte[] txnBody() {
        return body(ClientCodec.encodeRequest(ALLOC, ClientRequest.txn(5, TXN.clientId(), TXN.seq(), TXN.compares(), TXN.success(), TXN.failure())));
    }

    @Test
    void rangeDeleteRangeAndTxnRequestsRoundTrip() throws Exception {
        KvQuery.Range q = new KvQuery.Range(KeyRange.prefix("p/"), 17, true, false);
        ClientRequest range = decodeRequest(body(ClientCodec.encodeRequest(ALLOC, ClientRequest.range(3, q, Consistency.LEASE))));
        assertThat(range.op()).isEqualTo(Op.RANGE);
        assertThat(range.requestId()).isEqualTo(3);
        assertThat(range.query()).isEqualTo(q);
        assertThat(range.consistency()).isEqualTo(Consistency.LEASE);
        assertThat(range.op().isWrite()).isFalse();

        ClientRequest open = ClientRequest.range(4, new KvQuery.Range(KeyRange.between("", null), 1, false, true), Consistency.LOCAL);
        assertThat(decodeRequest(body(ClientCodec.encodeRequest(ALLOC, open))).query()).isEqualTo(open.query());

        ClientRequest dr = decodeRequest(body(ClientCodec.encodeRequest(ALLOC, ClientRequest.deleteRange(8, "kvc-2", 3, KeyRange.prefix("x")))));
        assertThat(dr.command()).isEqualTo(new KvCommand.DeleteRange("kvc-2", 3, KeyRange.prefix("x")));
        assertThat(dr.clientId()).isEqualTo("kvc-2");
        assertThat(dr.op().isWrite()).isTrue();

        ClientRequest txn = decodeRequest(txnBody());
        assertThat(txn.command()).isEqualTo(TXN); // under the frame's (client id, seq)
        assertThat(txn.seq()).isEqualTo(7);
        assertThat(txn.op().isWrite()).isTrue();
        // the identity travels once, in the frame: the command inside carries none
        assertThat(txnBody().length).isLessThan(KvCodec.encode(TXN).length + 2 * TXN.clientId().length() + 48);
    }

    @Test
    void pagesCountsDeletedRangesAndTransactionResultsRoundTrip() throws Exception {
        KvResult.Page page = new KvResult.Page(List.of(new KvResult.Item(utf8("a"), utf8("1"), 2, 3, 4),
                new KvResult.Item(utf8("b"), null, 5, 5, 1)), utf8("c"), 9);
        KvResult.Page got = (KvResult.Page) roundTrip(Op.RANGE, ClientResponse.ok(1, page)).result();
        assertThat(got.items()).hasSize(2);
        assertThat(got.items().get(0).key()).isEqualTo(utf8("a"));
        assertThat(got.items().get(0).value()).isEqualTo(utf8("1"));
        assertThat(got.items().get(0).modRevision()).isEqualTo(3);
        assertThat(got.items().get(1).value()).isNull();
        assertThat(got.next()).isEqualTo(utf8("c"));
        assertThat(got.revision()).isEqualTo(9);
        assertThat(((KvResult.Page) roundTrip(Op.RANGE, ClientResponse.ok(1, new KvResult.Page(List.of(), null, 4))).result()).next()).isNull();

        assertThat(roundTrip(Op.RANGE, ClientResponse.ok(2, new KvResult.Count(12, 40))).result()).isEqualTo(new KvResult.Count(12, 40));
        assertThat(roundTrip(Op.DELETE_RANGE, ClientResponse.ok(3, new KvResult.DeletedRange(5, 41))).result())
                .isEqualTo(new KvResult.DeletedRange(5, 41));
        KvResult.TxnDone done = new KvResult.TxnDone(false, 42, List.of(new KvResult.Value(null)));
        KvResult.TxnDone gotDone = (KvResult.TxnDone) roundTrip(Op.TXN, ClientResponse.ok(4, done)).result();
        assertThat(gotDone.succeeded()).isFalse();
        assertThat(gotDone.revision()).isEqualTo(42);
        assertThat(((KvResult.Value) gotDone.results().get(0)).value()).isNull();
        // the errors keep the protocol's own statuses
        assertThat(roundTrip(Op.TXN, ClientResponse.error(5, Status.TOO_LARGE, "big")).status()).isEqualTo(Status.TOO_LARGE);
    }

    @Test
    void aBodyThatDoesNotDecodeIsABadRequestOnASoundFrame() {
        // a transaction whose compare list claims 2^31-1 items: refused by its count, before anything is sized by it
        byte[] command = KvCodec.encode(new KvCommand.Txn("", 0, List.of(), List.of(), List.of()));
        ByteBuffer.wrap(command).putInt(1 + 1 + 4 + 8 + 8, Integer.MAX_VALUE);
        assertUnreadable(withCommand(Op.TXN, command), "does not decode");

        // the op and the command disagree
        assertUnreadable(withCommand(Op.TXN, KvCodec.encode(new KvCommand.DeleteRange("", 0, KeyRange.prefix("a")))), "carries a DeleteRange");
        // a second identity inside the command
        assertUnreadable(withCommand(Op.DELETE_RANGE, KvCodec.encode(new KvCommand.DeleteRange("other", 9, KeyRange.prefix("a")))),
                "client id or seq of its own");
        // another command format (a newer client, say) is refused by name
        byte[] future = KvCodec.encode(new KvCommand.DeleteRange("", 0, KeyRange.prefix("a")));
        future[0] = (byte) (KvCodec.COMMAND_FORMAT + 1);
        assertUnreadable(withCommand(Op.DELETE_RANGE, future), "format");
        // a key in a compare that is not UTF-8
        byte[] badKey = KvCodec.encode(new KvCommand.Txn("", 0, List.of(Compare.exists("ab", true)), List.of(), List.of()));
        badKey[badKey.length - 4 - 4 - 8 - 2 - 2] = (byte) 0xFF; // the compare's key "ab": 'a' becomes 0xFF
        assertUnreadable(withCommand(Op.TXN, badKey), "UTF-8");

        // a RANGE whose query is a GET, or has bytes after its end
        assertUnreadable(withQuery(KvCodec.encodeGet("k")), "range query");
        byte[] query = KvCodec.encodeQuery(new KvQuery.Range(KeyRange.prefix("a"), 1, false, false));
        assertUnreadable(withQuery(Arrays.copyOf(query, query.length + 3)), "does not decode");
    }

    private static void assertUnreadable(byte[] body, String why) {
        assertThatThrownBy(() -> decodeRequest(body)).isInstanceOfSatisfying(UnreadableRequestException.class, e -> {
            assertThat(e.requestId()).isEqualTo(11);
            assertThat(e.getMessage()).contains(why);
        });
    }

    /** The frame body of {@code op} around {@code command}, whatever its bytes. */
    private static byte[] withCommand(Op op, byte[] command) {
        ByteBuf b = Unpooled.buffer();
        header(b, op, "kvc-9", 1);
        b.writeInt(command.length).writeBytes(command);
        return ByteBufUtil.getBytes(b);
    }

    private static byte[] withQuery(byte[] query) {
        ByteBuf b = Unpooled.buffer();
        header(b, Op.RANGE, "", 0);
        b.writeInt(query.length).writeBytes(query).writeByte(Consistency.LINEARIZABLE.ordinal());
        return ByteBufUtil.getBytes(b);
    }

    private static void header(ByteBuf b, Op op, String clientId, long seq) {
        b.writeByte(op.code).writeLong(11).writeShort(clientId.length()).writeBytes(utf8(clientId)).writeLong(seq).writeShort(0);
    }

    @Test
    void lyingLengthsAndTrailingBytesAreMalformedFrames() {
        // a command length far past the frame's end: refused before any allocation
        ByteBuf b = Unpooled.buffer();
        header(b, Op.TXN, "kvc-9", 1);
        b.writeInt(Integer.MAX_VALUE).writeByte(4);
        byte[] lying = ByteBufUtil.getBytes(b);
        assertThatThrownBy(() -> decodeRequest(lying)).isInstanceOf(MalformedFrameException.class);

        byte[] trailing = Arrays.copyOf(txnBody(), txnBody().length + 1);
        assertThatThrownBy(() -> decodeRequest(trailing)).isInstanceOf(MalformedFrameException.class).hasMessageContaining("trailing");

        byte[] badConsistency = withQuery(KvCodec.encodeQuery(new KvQuery.Range(KeyRange.prefix("a"), 1, false, false)));
        badConsistency[badConsistency.length - 1] = 7;
        assertThatThrownBy(() -> decodeRequest(badConsistency)).isInstanceOf(MalformedFrameException.class).hasMessageContaining("consistency");
    }

    @Test
    void anAnswerWhoseResultIsNotWhatTheOpAnswersIsMalformed() {
        assertMalformedAnswer(Op.RANGE, KvCodec.encodeResult(new KvResult.TxnDone(true, 1, List.of())), "carries a TxnDone");
        assertMalformedAnswer(Op.TXN, KvCodec.encodeResult(new KvResult.Count(1, 1)), "carries a Count");
        assertMalformedAnswer(Op.DELETE_RANGE, new byte[]{99}, "does not decode");
        // a page item without a key (a null byte string)
        byte[] page = KvCodec.encodeResult(new KvResult.Page(List.of(new KvResult.Item(utf8("k"), null, 1, 1, 1)), null, 1));
        ByteBuffer.wrap(page).putInt(1 + 4, -1);
        byte[] keyless = new byte[page.length - 1];
        System.arraycopy(page, 0, keyless, 0, 9);
        System.arraycopy(page, 10, keyless, 9, page.length - 10);
        assertMalformedAnswer(Op.RANGE, keyless, "without a key");
        // a hostile chain of nested transaction results: refused, not a stack overflow
        ByteBuffer nested = ByteBuffer.allocate(50_000 * 14);
        for (int i = 0; i < 50_000; i++) nested.put((byte) 5).put((byte) 1).putLong(1).putInt(1);
        assertMalformedAnswer(Op.TXN, nested.array(), "does not decode");
    }

    private static void assertMalformedAnswer(Op op, byte[] result, String why) {
        ByteBuf b = Unpooled.buffer().writeLong(1).writeByte(Status.OK.code).writeInt(result.length).writeBytes(result);
        assertThatThrownBy(() -> ClientCodec.decodeResponse(b, op)).isInstanceOf(MalformedFrameException.class).hasMessageContaining(why);
    }

    /**
     * Every cut and every flipped byte of valid frames decodes, or is refused as a malformed frame or a bad request:
     * nothing else escapes the decoders (an exception there would be a connection's handler failing).
     */
    @Test
    void damagedFramesAreRefusedAndNothingElseEscapes() throws Exception {
        List<byte[]> requests = List.of(txnBody(),
                body(ClientCodec.encodeRequest(ALLOC, ClientRequest.deleteRange(2, "kvc-2", 3, KeyRange.prefix("x")))),
                body(ClientCodec.encodeRequest(ALLOC, ClientRequest.range(3, new KvQuery.Range(KeyRange.prefix("p"), 5, false, true),
                        Consistency.LINEARIZABLE))));
        List<byte[]> answers = List.of(
                body(ClientCodec.encodeResponse(ALLOC, Op.TXN, ClientResponse.ok(1, new KvResult.TxnDone(true, 3,
                        List.of(new KvResult.Written(3), new KvResult.Page(List.of(new KvResult.Item(utf8("k"), utf8("v"), 1, 2, 3)), null, 3)))))),
                body(ClientCodec.encodeResponse(ALLOC, Op.RANGE, ClientResponse.ok(1, new KvResult.Count(3, 4)))));
        Random random = new Random(13);
        for (int round = 0; round < 3000; round++) {
            boolean request = round % 2 == 0;
            byte[] valid = request ? requests.get(round % requests.size()) : answers.get(round % answers.size());
            byte[] damaged = random.nextBoolean() ? Arrays.copyOf(valid, random.nextInt(valid.length))
                    : flip(valid, random);
            try {
                if (request) decodeRequest(damaged);
                else ClientCodec.decodeResponse(Unpooled.wrappedBuffer(damaged), round % 4 == 1 ? Op.TXN : Op.RANGE);
            } catch (MalformedFrameException | UnreadableRequestException expected) {
                // refused: the only two ways a decoder may say no
            }
        }
    }

    private static byte[] flip(byte[] valid, Random random) {
        byte[] b = valid.clone();
        for (int i = 1 + random.nextInt(3); i > 0; i--) b[random.nextInt(b.length)] = (byte) random.nextInt(256);
        return b;
    }
}
