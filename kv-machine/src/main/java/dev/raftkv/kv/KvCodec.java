package dev.raftkv.kv;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

import static dev.raftkv.raft.LengthPrefixed.readBytes;
import static dev.raftkv.raft.LengthPrefixed.readString;
import static dev.raftkv.raft.LengthPrefixed.writeBytes;
import static dev.raftkv.raft.LengthPrefixed.writeString;

/**
 * The bytes of commands in the log, and of write results kept in the session table.
 *
 * <p>A command is: format version (u8, {@link #COMMAND_FORMAT}), tag (u8: 1 put, 2 delete, 3 cas), client
 * id and key as strings, seq (i64), the time the proposing leader stamped it with (i64 ms since the
 * epoch; 0 for none: it only ever moves the session clock forward), then put: value | cas: expect, value.
 * Strings and byte strings are {@link dev.raftkv.raft.LengthPrefixed}'s (an i32 length, then UTF-8 or the
 * bytes). The first layout had no version byte and began with the tag (1–3), so versions count on from 4 and such an entry is refused by name rather than misread.
 */
public final class KvCodec {
    /** The layout written today; a command of another version is refused with a message. */
    public static final int COMMAND_FORMAT = 4;
    private static final byte PUT = 1;
    private static final byte DELETE = 2;
    private static final byte CAS = 3;

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
            out.writeByte(c instanceof KvCommand.Put ? PUT : c instanceof KvCommand.Delete ? DELETE : CAS);
            writeString(out, c.clientId());
            out.writeLong(c.seq());
            out.writeLong(proposedAtMillis);
            writeString(out, c.key());
            if (c instanceof KvCommand.Put p) {
                writeBytes(out, p.value());
            } else if (c instanceof KvCommand.Cas cas) {
                writeBytes(out, cas.expect());
                writeBytes(out, cas.value());
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
            String key = readString(in);
            KvCommand c = switch (tag) {
                case PUT -> new KvCommand.Put(client, seq, key, readBytes(in));
                case DELETE -> new KvCommand.Delete(client, seq, key);
                case CAS -> new KvCommand.Cas(client, seq, key, readBytes(in), readBytes(in));
                default -> throw new IllegalArgumentException("unknown command tag " + tag);
            };
            if (in.read() != -1) throw new IllegalArgumentException("bytes after the end of a command");
            return new Entry(c, time);
        } catch (IOException e) {
            throw new IllegalArgumentException("malformed command", e);
        }
    }

    /** A query is just the key to read (it never reaches the log). */
    public static byte[] encodeGet(String key) {
        return key.getBytes(StandardCharsets.UTF_8);
    }

    public static String decodeGet(byte[] query) {
        return new String(query, StandardCharsets.UTF_8);
    }

    // ---------------------------------------------------------------- write results, for the session table

    public static byte[] encodeResult(KvResult r) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            if (r instanceof KvResult.Written w) {
                out.writeByte(1);
                out.writeLong(w.index());
            } else if (r instanceof KvResult.Deleted d) {
                out.writeByte(2);
                out.writeBoolean(d.existed());
            } else if (r instanceof KvResult.CasDone c) {
                out.writeByte(3);
                out.writeBoolean(c.ok());
                writeBytes(out, c.current());
            } else {
                throw new IllegalArgumentException("not a write result: " + r);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public static KvResult decodeResult(byte[] data) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            byte tag = in.readByte();
            return switch (tag) {
                case 1 -> new KvResult.Written(in.readLong());
                case 2 -> new KvResult.Deleted(in.readBoolean());
                case 3 -> new KvResult.CasDone(in.readBoolean(), readBytes(in));
                default -> throw new IllegalArgumentException("unknown result tag " + tag);
            };
        } catch (IOException e) {
            throw new IllegalArgumentException("malformed write result", e);
        }
    }
}
