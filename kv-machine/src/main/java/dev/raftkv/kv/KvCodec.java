package dev.raftkv.kv;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static dev.raftkv.raft.LengthPrefixed.readBytes;
import static dev.raftkv.raft.LengthPrefixed.readString;
import static dev.raftkv.raft.LengthPrefixed.writeBytes;
import static dev.raftkv.raft.LengthPrefixed.writeString;

/**
 * The bytes of commands in the log, and of write results kept in the session table.
 *
 * <p>A command is: format version (u8, {@link #COMMAND_FORMAT}), tag (u8: 1 put, 2 delete, 3 cas, 4 delete-range,
 * 5 transaction), client id as a string, seq (i64), the time the proposing leader stamped it with (i64 ms since
 * the epoch; 0 for none: it only ever moves the session clock forward), then put: key, value | delete: key |
 * cas: key, expect, value | delete-range: range | transaction: compares, success operations, failure operations
 * (each list an i32 count, then its items; see {@link #writeCompare}, {@link #writeOp}). A range is its start
 * and end as byte strings (end null: to the last key). Tags 4 and 5 came later in the same format: an older
 * build refuses them as unknown tags, which stops its applying rather than misreading them.
 * Strings and byte strings are {@link dev.raftkv.raft.LengthPrefixed}'s (an i32 length, then UTF-8 or the
 * bytes). The first layout had no version byte and began with the tag (1–3), so versions count on from 4 and
 * such an entry is refused by name rather than misread.
 */
public final class KvCodec {
    /** The layout written today; a command of another version is refused with a message. */
    public static final int COMMAND_FORMAT = 4;
    private static final byte PUT = 1;
    private static final byte DELETE = 2;
    private static final byte CAS = 3;
    private static final byte DELETE_RANGE = 4;
    private static final byte TXN = 5;

    /** A decoded command with the time its leader stamped on it. */
    public record Entry(KvCommand command, long proposedAtMillis) {
    }

    private KvCodec() {
    }

    /** A command without a time (tests, the simulator): it leaves the session clock where it is. */
    public static byte[] encode(KvCommand c) {
        return encode(c, 0);
    }

    public static byte[] encode(KvCommand c, long proposedAtMillis) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(COMMAND_FORMAT);
            out.writeByte(c instanceof KvCommand.Put ? PUT : c instanceof KvCommand.Delete ? DELETE
                    : c instanceof KvCommand.Cas ? CAS : c instanceof KvCommand.DeleteRange ? DELETE_RANGE : TXN);
            writeString(out, c.clientId());
            out.writeLong(c.seq());
            out.writeLong(proposedAtMillis);
            if (c instanceof KvCommand.Put p) {
                writeString(out, p.key());
                writeBytes(out, p.value());
            } else if (c instanceof KvCommand.Delete d) {
                writeString(out, d.key());
            } else if (c instanceof KvCommand.Cas cas) {
                writeString(out, cas.key());
                writeBytes(out, cas.expect());
                writeBytes(out, cas.value());
            } else if (c instanceof KvCommand.DeleteRange r) {
                writeRange(out, r.range());
            } else {
                KvCommand.Txn t = (KvCommand.Txn) c;
                out.writeInt(t.compares().size());
                for (Compare cmp : t.compares()) writeCompare(out, cmp);
                writeOps(out, t.success());
                writeOps(out, t.failure());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * The longest command {@code limits} allow, in bytes: a compare-and-set (it carries two values) with the
     * longest client id, key and values. Every log entry the machine writes is at most this long, so the
     * transport must carry an entry of this size in one frame.
     */
    public static long maxCommandBytes(KvLimits limits) {
        long strings = (4L + KvLimits.MAX_CLIENT_ID_BYTES) + (4L + limits.maxKeyBytes());
        return 1 + 1 + strings + 8 + 8 + 2 * (4L + limits.maxValueBytes());
    }

    /** @throws IllegalArgumentException for a command of an unknown format or a malformed one */
    public static Entry decode(byte[] data) {
        if (data.length == 0) throw new IllegalArgumentException("empty command");
        int version = data[0] & 0xFF;
        if (version != COMMAND_FORMAT) {
            throw new IllegalArgumentException(version >= 1 && version <= 3
                    ? "command in the first, unversioned layout (written by an older raftkv); this build reads format " + COMMAND_FORMAT
                    : "command format " + version + " is not supported (this build reads " + COMMAND_FORMAT + ")");
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data, 1, data.length - 1))) {
            byte tag = in.readByte();
            String client = readString(in);
            long seq = in.readLong();
            long time = in.readLong();
            KvCommand c = switch (tag) {
                case PUT -> new KvCommand.Put(client, seq, readString(in), readBytes(in));
                case DELETE -> new KvCommand.Delete(client, seq, readString(in));
                case CAS -> new KvCommand.Cas(client, seq, readString(in), readBytes(in), readBytes(in));
                case DELETE_RANGE -> new KvCommand.DeleteRange(client, seq, readRange(in));
                case TXN -> {
                    List<Compare> compares = new ArrayList<>();
                    for (int i = readCount(in); i > 0; i--) compares.add(readCompare(in));
                    yield new KvCommand.Txn(client, seq, compares, readOps(in), readOps(in));
                }
                default -> throw new IllegalArgumentException("unknown command tag " + tag);
            };
            if (in.read() != -1) throw new IllegalArgumentException("bytes after the end of a command");
            return new Entry(c, time);
        } catch (IOException e) {
            throw new IllegalArgumentException("malformed command", e);
        }
    }

    // ---------------------------------------------------------------- transactions and ranges

    private static void writeRange(DataOutputStream out, KeyRange r) throws IOException {
        writeBytes(out, r.start());
        writeBytes(out, r.end());
    }

    private static KeyRange readRange(DataInputStream in) throws IOException {
        byte[] start = readBytes(in);
        if (start == null) throw new IOException("a range without a start");
        return new KeyRange(start, readBytes(in));
    }

    /** key, target (u8, its ordinal), relation (u8), then a value for VALUE or an i64 for the others. */
    private static void writeCompare(DataOutputStream out, Compare c) throws IOException {
        writeString(out, c.key());
        out.writeByte(c.target().ordinal());
        out.writeByte(c.relation().ordinal());
        if (c.target() == Compare.Target.VALUE) writeBytes(out, c.value());
        else out.writeLong(c.number());
    }

    private static Compare readCompare(DataInputStream in) throws IOException {
        String key = readString(in);
        Compare.Target target = pick(Compare.Target.values(), in.readUnsignedByte(), "compare target");
        Compare.Relation relation = pick(Compare.Relation.values(), in.readUnsignedByte(), "compare relation");
        if (target == Compare.Target.VALUE) {
            byte[] value = readBytes(in);
            if (value == null) throw new IOException("a value compare without a value");
            return Compare.value(key, relation, value);
        }
        return Compare.number(key, target, relation, in.readLong());
    }

    private static <T> T pick(T[] values, int ordinal, String what) throws IOException {
        if (ordinal >= values.length) throw new IOException("unknown " + what + " " + ordinal);
        return values[ordinal];
    }

    /** An i32 count, then per operation a tag (u8: 1 put, 2 delete, 3 delete-range, 4 get, 5 range) and its fields. */
    private static void writeOps(DataOutputStream out, List<TxnOp> ops) throws IOException {
        out.writeInt(ops.size());
        for (TxnOp op : ops) writeOp(out, op);
    }

    private static void writeOp(DataOutputStream out, TxnOp op) throws IOException {
        if (op instanceof TxnOp.Put p) {
            out.writeByte(1);
            writeString(out, p.key());
            writeBytes(out, p.value());
        } else if (op instanceof TxnOp.Delete d) {
            out.writeByte(2);
            writeString(out, d.key());
        } else if (op instanceof TxnOp.DeleteRange r) {
            out.writeByte(3);
            writeRange(out, r.range());
        } else if (op instanceof TxnOp.Get g) {
            out.writeByte(4);
            writeString(out, g.key());
        } else {
            TxnOp.Range r = (TxnOp.Range) op;
            out.writeByte(5);
            writeRange(out, r.range());
            out.writeInt(r.limit());
            out.writeBoolean(r.keysOnly());
        }
    }

    private static List<TxnOp> readOps(DataInputStream in) throws IOException {
        List<TxnOp> ops = new ArrayList<>();
        for (int i = readCount(in); i > 0; i--) {
            int tag = in.readUnsignedByte();
            ops.add(switch (tag) {
                case 1 -> {
                    String key = readString(in);
                    byte[] value = readBytes(in);
                    if (value == null) throw new IOException("a put without a value");
                    yield new TxnOp.Put(key, value);
                }
                case 2 -> new TxnOp.Delete(readString(in));
                case 3 -> new TxnOp.DeleteRange(readRange(in));
                case 4 -> new TxnOp.Get(readString(in));
                case 5 -> new TxnOp.Range(readRange(in), in.readInt(), in.readBoolean());
                default -> throw new IOException("unknown transaction operation " + tag);
            });
        }
        return ops;
    }

    /** A list's length; one longer than any transaction may be is damage, not a reason to allocate. */
    private static int readCount(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > KvLimits.MAX_TXN_OPS) throw new IOException("a list of " + n + " items");
        return n;
    }

    // ---------------------------------------------------------------- queries (never in the log)

    public static byte[] encodeGet(String key) {
        return encodeQuery(new KvQuery.Get(key));
    }

    /** Tag (u8: 1 get, 2 range), then get: key | range: range, limit (i32), keysOnly, countOnly (booleans). */
    public static byte[] encodeQuery(KvQuery q) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            if (q instanceof KvQuery.Get g) {
                out.writeByte(1);
                writeString(out, g.key());
            } else {
                KvQuery.Range r = (KvQuery.Range) q;
                out.writeByte(2);
                writeRange(out, r.range());
                out.writeInt(r.limit());
                out.writeBoolean(r.keysOnly());
                out.writeBoolean(r.countOnly());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * @throws IllegalArgumentException for anything but exactly one query: the binary client protocol carries these
     * bytes as a client sent them
     */
    public static KvQuery decodeQuery(byte[] data) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            int tag = in.readUnsignedByte();
            KvQuery q = switch (tag) {
                case 1 -> new KvQuery.Get(readString(in));
                case 2 -> new KvQuery.Range(readRange(in), in.readInt(), in.readBoolean(), in.readBoolean());
                default -> throw new IllegalArgumentException("unknown query tag " + tag);
            };
            if (in.read() != -1) throw new IllegalArgumentException("bytes after the end of a query");
            return q;
        } catch (IOException e) {
            throw new IllegalArgumentException("malformed query", e);
        }
    }

    // ---------------------------------------------------------------- write results, for the session table

    /**
     * A tag (u8) and the fields: 1 written (index), 9 deleted (existed, revision), 10 cas (ok, current, revision),
     * 4 delete-range (count, revision), 5 transaction (succeeded, revision, i32 count, results), 6 value, 7 page
     * (i32 count, items, next, revision), 8 count (count, revision). Tags 4–10 came with transactions and
     * revisions; 2 and 3, a delete and a cas without their revision, are still read (as revision 0) from session
     * tables an older build wrote.
     */
    public static byte[] encodeResult(KvResult r) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            writeResult(out, r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static void writeResult(DataOutputStream out, KvResult r) throws IOException {
        if (r instanceof KvResult.Written w) {
            out.writeByte(1);
            out.writeLong(w.index());
        } else if (r instanceof KvResult.Deleted d) {
            out.writeByte(9);
            out.writeBoolean(d.existed());
            out.writeLong(d.revision());
        } else if (r instanceof KvResult.CasDone c) {
            out.writeByte(10);
            out.writeBoolean(c.ok());
            writeBytes(out, c.current());
            out.writeLong(c.revision());
        } else if (r instanceof KvResult.DeletedRange d) {
            out.writeByte(4);
            out.writeLong(d.count());
            out.writeLong(d.revision());
        } else if (r instanceof KvResult.TxnDone t) {
            out.writeByte(5);
            out.writeBoolean(t.succeeded());
            out.writeLong(t.revision());
            out.writeInt(t.results().size());
            for (KvResult each : t.results()) writeResult(out, each);
        } else if (r instanceof KvResult.Value v) {
            out.writeByte(6);
            writeBytes(out, v.value());
        } else if (r instanceof KvResult.Page p) {
            out.writeByte(7);
            out.writeInt(p.items().size());
            for (KvResult.Item i : p.items()) {
                writeBytes(out, i.key());
                writeBytes(out, i.value());
                out.writeLong(i.createRevision());
                out.writeLong(i.modRevision());
                out.writeLong(i.version());
            }
            writeBytes(out, p.next());
            out.writeLong(p.revision());
        } else {
            KvResult.Count c = (KvResult.Count) r;
            out.writeByte(8);
            out.writeLong(c.count());
            out.writeLong(c.revision());
        }
    }

    /**
     * @throws IllegalArgumentException for anything but exactly one result: the binary client protocol carries these
     * bytes from a node to a client, which must not trust them further than their layout
     */
    public static KvResult decodeResult(byte[] data) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            KvResult r = readResult(in, false);
            if (in.read() != -1) throw new IllegalArgumentException("bytes after the end of a result");
            return r;
        } catch (IOException e) {
            throw new IllegalArgumentException("malformed write result", e);
        }
    }

    /**
     * {@code inTxn}: no operation of a transaction is a transaction, so a result nested in one is damage; refusing it
     * also keeps a hostile chain of nested results (14 bytes a level) from exhausting the reader's stack.
     */
    private static KvResult readResult(DataInputStream in, boolean inTxn) throws IOException {
        byte tag = in.readByte();
        if (tag == 5 && inTxn) throw new IOException("a transaction result inside a transaction result");
        return switch (tag) {
            case 1 -> new KvResult.Written(in.readLong());
            case 2 -> new KvResult.Deleted(in.readBoolean(), 0); // kept by a build that recorded no revision
            case 3 -> new KvResult.CasDone(in.readBoolean(), readBytes(in), 0);
            case 9 -> new KvResult.Deleted(in.readBoolean(), in.readLong());
            case 10 -> new KvResult.CasDone(in.readBoolean(), readBytes(in), in.readLong());
            case 4 -> new KvResult.DeletedRange(in.readLong(), in.readLong());
            case 5 -> {
                boolean succeeded = in.readBoolean();
                long revision = in.readLong();
                List<KvResult> results = new ArrayList<>();
                for (int i = readCount(in); i > 0; i--) results.add(readResult(in, true));
                yield new KvResult.TxnDone(succeeded, revision, results);
            }
            case 6 -> new KvResult.Value(readBytes(in));
            case 7 -> {
                int n = in.readInt();
                if (n < 0 || n > KvLimits.MAX_PAGE_KEYS) throw new IOException("a page of " + n + " items");
                List<KvResult.Item> items = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    items.add(new KvResult.Item(readBytes(in), readBytes(in), in.readLong(), in.readLong(), in.readLong()));
                }
                yield new KvResult.Page(items, readBytes(in), in.readLong());
            }
            case 8 -> new KvResult.Count(in.readLong(), in.readLong());
            default -> throw new IllegalArgumentException("unknown result tag " + tag);
        };
    }
}
