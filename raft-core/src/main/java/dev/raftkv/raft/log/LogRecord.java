package dev.raftkv.raft.log;

import dev.raftkv.raft.Entry;
import dev.raftkv.raft.EntryType;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * How one log entry is framed in a segment file (big-endian):
 * <pre>
 *   int    length   bytes after the CRC: 17 + payload length
 *   int    crc32c   over term, index, type and payload
 *   long   term
 *   long   index
 *   byte   type     1 = NORMAL, 2 = NOOP, 3 = CONFIG (never 0, so a zeroed region cannot parse as a record)
 *   byte[] payload
 * </pre>
 */
final class LogRecord {
    /** length + crc */
    static final int HEADER_BYTES = 8;
    /** term + index + type */
    static final int FIXED_BODY_BYTES = 17;
    static final int MIN_RECORD_BYTES = HEADER_BYTES + FIXED_BODY_BYTES;

    private LogRecord() {
    }

    static int size(Entry e) {
        return MIN_RECORD_BYTES + e.data().length;
    }

    static ByteBuffer encode(Entry e) {
        ByteBuffer buf = ByteBuffer.allocate(size(e));
        buf.putInt(FIXED_BODY_BYTES + e.data().length);
        buf.putInt(0); // the CRC, filled in below once the body is in place
        buf.putLong(e.term());
        buf.putLong(e.index());
        buf.put(typeCode(e.type()));
        buf.put(e.data());
        buf.putInt(4, crc(buf.array(), HEADER_BYTES, buf.capacity() - HEADER_BYTES));
        return buf.flip();
    }

    /**
     * Decodes a record whose whole body is in {@code body[off, off + length)}.
     *
     * @return the entry, or null if the CRC or the type byte is wrong
     */
    static Entry decodeBody(byte[] body, int off, int length, int expectedCrc) {
        if (!bodyIntact(body, off, length, expectedCrc)) return null;
        ByteBuffer buf = ByteBuffer.wrap(body, off, length);
        long term = buf.getLong();
        long index = buf.getLong();
        EntryType type = typeOf(buf.get());
        byte[] data = new byte[length - FIXED_BODY_BYTES];
        buf.get(data);
        return new Entry(term, index, type, data);
    }

    /** Whether {@code body[off, off + length)} is a whole record body: long enough, a known type, the CRC right. */
    static boolean bodyIntact(byte[] body, int off, int length, int expectedCrc) {
        return length >= FIXED_BODY_BYTES
                && typeOf(body[off + FIXED_BODY_BYTES - 1]) != null
                && crc(body, off, length) == expectedCrc;
    }

    /** The index field of a body that {@link #bodyIntact} accepted. */
    static long indexOf(byte[] body, int off) {
        return ByteBuffer.wrap(body, off + 8, 8).getLong();
    }

    static int crc(byte[] b, int off, int len) {
        CRC32C crc = new CRC32C();
        crc.update(b, off, len);
        return (int) crc.getValue();
    }

    static byte typeCode(EntryType type) {
        // explicit codes rather than ordinal(): reordering the enum must not change the file format
        return switch (type) {
            case NORMAL -> 1;
            case NOOP -> 2;
            case CONFIG -> 3;
        };
    }

    /** The type for a stored code, or null if the code is not one we write. */
    static EntryType typeOf(byte code) {
        return switch (code) {
            case 1 -> EntryType.NORMAL;
            case 2 -> EntryType.NOOP;
            case 3 -> EntryType.CONFIG;
            default -> null;
        };
    }
}
