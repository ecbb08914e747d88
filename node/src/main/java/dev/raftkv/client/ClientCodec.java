package dev.raftkv.client;

import dev.raftkv.client.ClientProtocol.Op;
import dev.raftkv.client.ClientProtocol.Status;
import dev.raftkv.kv.KvCodec;
import dev.raftkv.kv.KvCommand;
import dev.raftkv.kv.KvQuery;
import dev.raftkv.kv.KvResult;
import dev.raftkv.transport.MalformedFrameException;
import dev.raftkv.transport.WireReader;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;

import java.nio.charset.StandardCharsets;

/**
 * Frame bodies of the client protocol. Layouts (strings: u16 length + UTF-8; bytes: i32 length + bytes):
 * <pre>
 * request  = u8 op, i64 requestId, string clientId, i64 seq, string key (empty for RANGE, DELETE_RANGE, TXN), then
 *            PUT: bytes value | GET: u8 consistency | DELETE, STATUS: nothing | AUTH: bytes token
 *            CAS: u8 hasExpect, [bytes expect], bytes value
 *            RANGE: bytes query (KvCodec.encodeQuery of a KvQuery.Range), u8 consistency
 *            DELETE_RANGE, TXN: bytes command (KvCodec.encode of the command with an empty client id and seq 0:
 *                               the frame's client id and seq are its identity)
 * response = i64 requestId, u8 status, then
 *            OK: PUT i64 index | GET bytes value | DELETE u8 existed | CAS nothing
 *                STATUS string id, string role, i64 term, string leader, string leaderClient
 *                RANGE, DELETE_RANGE, TXN: bytes result (KvCodec.encodeResult: a Page or Count, DeletedRange, TxnDone)
 *            NOT_FOUND: nothing | CAS_FAILED: u8 hasCurrent, [bytes current]
 *            NOT_LEADER: string leaderId, string leaderClient ("" when not known)
 *            NOT_APPLIED, OUTCOME_UNKNOWN, BAD_REQUEST, TOO_LARGE, UNAUTHORIZED, OVERLOADED: string message
 * </pre>
 * Every read is bounds-checked first, so a lying length is a MalformedFrameException, never an
 * IndexOutOfBoundsException or a huge allocation. The range, delete-range and transaction bodies reuse the machine's
 * own encodings ({@link KvCodec}), so the client protocol and the log cannot disagree on what a transaction is, and
 * the command's format version travels with it; KvCodec's readers are bounded the same way (list counts by
 * {@link dev.raftkv.kv.KvLimits#MAX_TXN_OPS} and {@code MAX_PAGE_KEYS}, byte strings by what arrived).
 */
public final class ClientCodec {
    /** Reading accepts any length a u16 prefix can state; the frame size bounds what arrives. */
    private static final int ANY_U16_LENGTH = 0xFFFF;
    private ClientCodec() {
    }

    // ------------------------------------------------------------------ frames

    /** The whole frame (i32 length, body) of a request. */
    public static ByteBuf encodeRequest(ByteBufAllocator alloc, ClientRequest r) {
        ByteBuf out = alloc.buffer();
        out.writeInt(0); // patched below, once the body length is known
        out.writeByte(r.op().code);
        out.writeLong(r.requestId());
        writeString(out, r.clientId());
        out.writeLong(r.seq());
        writeString(out, r.key());
        switch (r.op()) {
            case PUT, AUTH -> writeBytes(out, r.value());
            case GET -> out.writeByte(r.consistency().ordinal());
            case CAS -> {
                out.writeBoolean(r.expect() != null);
                if (r.expect() != null) writeBytes(out, r.expect());
                writeBytes(out, r.value());
            }
            case RANGE -> {
                writeBytes(out, KvCodec.encodeQuery(r.query()));
                out.writeByte(r.consistency().ordinal());
            }
            case DELETE_RANGE, TXN -> writeBytes(out, KvCodec.encode(identified(r.command(), "", 0)));
            case DELETE, STATUS -> {
            }
        }
        out.setInt(0, out.readableBytes() - 4);
        return out;
    }

    /**
     * @throws UnreadableRequestException for a well-framed request whose key is not UTF-8, or whose range or
     *                                    command body does not decode: answer it BAD_REQUEST
     * @throws MalformedFrameException    for anything else that breaks the layout: close the connection
     */
    public static ClientRequest decodeRequest(ByteBuf body) throws MalformedFrameException, UnreadableRequestException {
        WireReader in = new WireReader(body);
        int code = in.readUnsignedByte("op");
        Op op = Op.of(code);
        if (op == null) throw new MalformedFrameException("unknown op " + code);
        long requestId = in.readLong("requestId");
        String clientId = in.readString("clientId", ANY_U16_LENGTH);
        long seq = in.readLong("seq");
        if (!keyIsText(body)) throw new UnreadableRequestException(requestId, op, "the key is not valid UTF-8");
        String key = in.readString("key", ANY_U16_LENGTH);
        ClientRequest r = switch (op) {
            case PUT -> ClientRequest.put(requestId, clientId, seq, key, in.readBytes("value", Integer.MAX_VALUE));
            case GET -> new ClientRequest(op, requestId, clientId, seq, key, null, null, readConsistency(in));
            case DELETE -> ClientRequest.delete(requestId, clientId, seq, key);
            case CAS -> {
                byte[] expect = in.readBoolean("hasExpect") ? in.readBytes("expect", Integer.MAX_VALUE) : null;
                yield ClientRequest.cas(requestId, clientId, seq, key, expect, in.readBytes("value", Integer.MAX_VALUE));
            }
            case STATUS -> new ClientRequest(op, requestId, clientId, seq, key, null, null, null);
            case AUTH -> new ClientRequest(op, requestId, clientId, seq, key, in.readBytes("token", ClientProtocol.MAX_STRING_BYTES),
                    null, null);
            case RANGE -> {
                KvQuery.Range query = rangeQuery(requestId, in.readBytes("query", Integer.MAX_VALUE));
                yield ClientRequest.range(requestId, query, readConsistency(in));
            }
            case DELETE_RANGE, TXN -> new ClientRequest(op, requestId, clientId, seq, key, null, null, null, null,
                    command(requestId, op, clientId, seq, in.readBytes("command", Integer.MAX_VALUE)));
        };
        in.expectEnd(op.name());
        return r;
    }

    private static ClientProtocol.Consistency readConsistency(WireReader in) throws MalformedFrameException {
        int c = in.readUnsignedByte("consistency");
        if (c >= ClientProtocol.Consistency.values().length) throw new MalformedFrameException("consistency " + c);
        return ClientProtocol.Consistency.values()[c];
    }

    private static KvQuery.Range rangeQuery(long requestId, byte[] bytes) throws UnreadableRequestException {
        KvQuery q;
        try {
            q = KvCodec.decodeQuery(bytes);
        } catch (RuntimeException e) {
            throw new UnreadableRequestException(requestId, Op.RANGE, "the RANGE query does not decode: " + why(e));
        }
        if (q instanceof KvQuery.Range r) return r;
        throw new UnreadableRequestException(requestId, Op.RANGE, "a RANGE carries a range query, not " + q);
    }

    /** The command a DELETE_RANGE or TXN carries, under the frame's (client id, seq). */
    private static KvCommand command(long requestId, Op op, String clientId, long seq, byte[] bytes)
            throws UnreadableRequestException {
        KvCommand c;
        try {
            c = KvCodec.decode(bytes).command();
        } catch (RuntimeException e) {
            throw new UnreadableRequestException(requestId, op, "the " + op + " command does not decode: " + why(e));
        }
        boolean fits = op == Op.TXN ? c instanceof KvCommand.Txn : c instanceof KvCommand.DeleteRange;
        if (!fits) throw new UnreadableRequestException(requestId, op, "a " + op + " request carries a " + c.getClass().getSimpleName());
        // two identities for one write would leave it open which one the session table de-duplicates by
        if (!c.clientId().isEmpty() || c.seq() != 0) {
            throw new UnreadableRequestException(requestId, op, "the command names a client id or seq of its own; the frame's are its identity");
        }
        return identified(c, clientId, seq);
    }

    /** {@code c} under another (client id, seq). */
    private static KvCommand identified(KvCommand c, String clientId, long seq) {
        if (c instanceof KvCommand.DeleteRange d) return new KvCommand.DeleteRange(clientId, seq, d.range());
        if (c instanceof KvCommand.Txn t) return new KvCommand.Txn(clientId, seq, t.compares(), t.success(), t.failure());
        throw new IllegalArgumentException("the client protocol carries only delete-ranges and transactions as commands, not " + c);
    }

    /** KvCodec wraps the reader's IOException: its message says which field was wrong. */
    private static String why(RuntimeException e) {
        return e.getCause() != null && e.getCause().getMessage() != null ? e.getMessage() + ": " + e.getCause().getMessage() : e.getMessage();
    }

    /**
     * Whether the key ahead (u16 length, bytes) is strict UTF-8; true as well when its length lies, which the
     * reader then reports as a malformed frame.
     */
    private static boolean keyIsText(ByteBuf body) {
        int at = body.readerIndex();
        if (body.readableBytes() < 2) return true;
        int length = body.getUnsignedShort(at);
        if (body.readableBytes() < 2 + length) return true;
        return ByteBufUtil.isText(body, at + 2, length, StandardCharsets.UTF_8);
    }

    /** The whole frame of an answer to a request of kind {@code op}. */
    public static ByteBuf encodeResponse(ByteBufAllocator alloc, Op op, ClientResponse r) {
        ByteBuf out = alloc.buffer();
        out.writeInt(0);
        out.writeLong(r.requestId());
        out.writeByte(r.status().code);
        switch (r.status()) {
            case OK -> writeOk(out, op, r);
            case NOT_FOUND -> {
            }
            case CAS_FAILED -> {
                KvResult.CasDone cas = (KvResult.CasDone) r.result();
                out.writeBoolean(cas.current() != null);
                if (cas.current() != null) writeBytes(out, cas.current());
                out.writeLong(cas.revision());
            }
            case NOT_LEADER -> {
                writeString(out, r.leaderId() == null ? "" : r.leaderId());
                writeString(out, r.leaderClient() == null ? "" : r.leaderClient());
            }
            default -> writeString(out, truncate(r.message()));
        }
        out.setInt(0, out.readableBytes() - 4);
        return out;
    }

    private static void writeOk(ByteBuf out, Op op, ClientResponse r) {
        switch (op) {
            case PUT -> out.writeLong(((KvResult.Written) r.result()).index());
            case GET -> writeBytes(out, ((KvResult.Value) r.result()).value());
            case DELETE -> {
                KvResult.Deleted d = (KvResult.Deleted) r.result();
                out.writeBoolean(d.existed());
                out.writeLong(d.revision());
            }
            case CAS -> out.writeLong(((KvResult.CasDone) r.result()).revision());
            case AUTH -> {
            }
            case RANGE, DELETE_RANGE, TXN -> writeBytes(out, KvCodec.encodeResult(r.result()));
            case STATUS -> {
                ClientResponse.NodeStatus s = r.node();
                writeString(out, s.id());
                writeString(out, s.role());
                out.writeLong(s.term());
                writeString(out, s.leader() == null ? "" : s.leader());
                writeString(out, s.leaderClient() == null ? "" : s.leaderClient());
            }
        }
    }

    /** The request id of an answer, read without consuming it: the reader needs it to know the op. */
    public static long peekRequestId(ByteBuf body) throws MalformedFrameException {
        if (body.readableBytes() < 8) throw new MalformedFrameException("answer shorter than its request id");
        return body.getLong(body.readerIndex());
    }

    public static ClientResponse decodeResponse(ByteBuf body, Op op) throws MalformedFrameException {
        WireReader in = new WireReader(body);
        long requestId = in.readLong("requestId");
        int code = in.readUnsignedByte("status");
        Status status = Status.of(code);
        if (status == null) throw new MalformedFrameException("unknown status " + code);
        ClientResponse r = switch (status) {
            case OK -> switch (op) {
                case PUT -> ClientResponse.ok(requestId, new KvResult.Written(in.readLong("index")));
                case GET -> ClientResponse.ok(requestId, new KvResult.Value(in.readBytes("value", Integer.MAX_VALUE)));
                case DELETE -> ClientResponse.ok(requestId, new KvResult.Deleted(in.readBoolean("existed"), in.readLong("revision")));
                case CAS -> ClientResponse.ok(requestId, new KvResult.CasDone(true, null, in.readLong("revision")));
                case AUTH -> ClientResponse.ok(requestId, null);
                case STATUS -> ClientResponse.status(requestId, new ClientResponse.NodeStatus(in.readString("id", ANY_U16_LENGTH),
                        in.readString("role", ANY_U16_LENGTH), in.readLong("term"), emptyToNull(in.readString("leader", ANY_U16_LENGTH)), emptyToNull(in.readString("leaderClient", ANY_U16_LENGTH))));
                case RANGE, DELETE_RANGE, TXN -> ClientResponse.ok(requestId, result(op, in.readBytes("result", Integer.MAX_VALUE)));
            };
            case NOT_FOUND -> ClientResponse.of(requestId, status, new KvResult.Value(null));
            case CAS_FAILED -> ClientResponse.of(requestId, status,
                    new KvResult.CasDone(false, in.readBoolean("hasCurrent") ? in.readBytes("current", Integer.MAX_VALUE) : null,
                            in.readLong("revision")));
            case NOT_LEADER -> ClientResponse.notLeader(requestId, emptyToNull(in.readString("leaderId", ANY_U16_LENGTH)),
                    emptyToNull(in.readString("leaderClient", ANY_U16_LENGTH)));
            default -> ClientResponse.error(requestId, status, in.readString("message", ANY_U16_LENGTH));
        };
        in.expectEnd("answer " + status);
        return r;
    }

    /** The result an answer to {@code op} carries; anything else, or a page item without a key, is damage. */
    private static KvResult result(Op op, byte[] bytes) throws MalformedFrameException {
        KvResult r;
        try {
            r = KvCodec.decodeResult(bytes);
        } catch (RuntimeException e) {
            throw new MalformedFrameException("the " + op + " result does not decode: " + why(e));
        }
        boolean fits = op == Op.RANGE ? r instanceof KvResult.Page || r instanceof KvResult.Count
                : op == Op.DELETE_RANGE ? r instanceof KvResult.DeletedRange : r instanceof KvResult.TxnDone;
        if (!fits) throw new MalformedFrameException("an answer to " + op + " carries a " + r.getClass().getSimpleName());
        if (r instanceof KvResult.Page p && p.items().stream().anyMatch(i -> i.key() == null)) {
            throw new MalformedFrameException("a page item without a key");
        }
        return r;
    }

    // ------------------------------------------------------------------ fields

    private static void writeString(ByteBuf out, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length > ClientProtocol.MAX_STRING_BYTES) {
            throw new IllegalArgumentException("a string of " + b.length + " UTF-8 bytes; the limit is " + ClientProtocol.MAX_STRING_BYTES);
        }
        out.writeShort(b.length);
        out.writeBytes(b);
    }

    private static void writeBytes(ByteBuf out, byte[] b) {
        out.writeInt(b.length);
        out.writeBytes(b);
    }

    /** Messages are for people: a long one is cut rather than refused. */
    private static String truncate(String s) {
        return s.length() > 4000 ? s.substring(0, 4000) + "..." : s;
    }

    private static String emptyToNull(String s) {
        return s.isEmpty() ? null : s;
    }
}
