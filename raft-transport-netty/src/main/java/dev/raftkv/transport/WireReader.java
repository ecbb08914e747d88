package dev.raftkv.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

import java.nio.charset.StandardCharsets;

/**
 * Reads the fields of one frame body and checks each against what the body still holds before
 * reading or allocating, so that a lying length turns into a {@link MalformedFrameException}
 * rather than an IndexOutOfBoundsException or an OutOfMemoryError. Public because the node's client
 * protocol reads its frames the same way.
 */
public final class WireReader {
    private final ByteBuf buf;

    public WireReader(ByteBuf buf) {
        this.buf = buf;
    }

    private void need(int bytes, String field) throws MalformedFrameException {
        if (buf.readableBytes() < bytes) {
            throw new MalformedFrameException(field + ": needs " + bytes + " bytes, " + buf.readableBytes() + " left");
        }
    }

    public byte readByte(String field) throws MalformedFrameException {
        need(1, field);
        return buf.readByte();
    }

    public int readUnsignedByte(String field) throws MalformedFrameException {
        need(1, field);
        return buf.readUnsignedByte();
    }

    public int readInt(String field) throws MalformedFrameException {
        need(4, field);
        return buf.readInt();
    }

    public long readLong(String field) throws MalformedFrameException {
        need(8, field);
        return buf.readLong();
    }

    /** Only 0 and 1: any other byte means the frame is not what its sender wrote. */
    public boolean readBoolean(String field) throws MalformedFrameException {
        byte b = readByte(field);
        if (b == 0) return false;
        if (b == 1) return true;
        throw new MalformedFrameException(field + ": boolean byte " + b);
    }

    /** An unsigned 16-bit length, then that many bytes of strict UTF-8. */
    public String readString(String field, int maxBytes) throws MalformedFrameException {
        need(2, field);
        int length = buf.readUnsignedShort();
        if (length > maxBytes) throw new MalformedFrameException(field + ": " + length + " bytes, limit " + maxBytes);
        need(length, field);
        // checked first: decoding alone would silently turn bad bytes into U+FFFD, another id than was sent
        if (!ByteBufUtil.isText(buf, buf.readerIndex(), length, StandardCharsets.UTF_8)) {
            throw new MalformedFrameException(field + ": invalid UTF-8");
        }
        String s = buf.toString(buf.readerIndex(), length, StandardCharsets.UTF_8);
        buf.skipBytes(length);
        return s;
    }

    /** A signed 32-bit length, then that many bytes. */
    public byte[] readBytes(String field, int maxBytes) throws MalformedFrameException {
        int length = readInt(field + " length");
        if (length < 0 || length > maxBytes) {
            throw new MalformedFrameException(field + ": length " + length + ", limit " + maxBytes);
        }
        need(length, field);
        byte[] bytes = new byte[length];
        buf.readBytes(bytes);
        return bytes;
    }

    /**
     * A signed 32-bit element count. Each element takes at least {@code minElementBytes}, so a count the
     * remaining bytes cannot hold is refused before anyone sizes a collection by it.
     */
    public int readCount(String field, int minElementBytes) throws MalformedFrameException {
        int count = readInt(field + " count");
        if (count < 0 || (long) count * minElementBytes > buf.readableBytes()) {
            throw new MalformedFrameException(field + ": count " + count + " does not fit in "
                    + buf.readableBytes() + " bytes");
        }
        return count;
    }

    public int readableBytes() {
        return buf.readableBytes();
    }

    /** Exactly {@code length} raw bytes (a nonce, a MAC): no length prefix. */
    public byte[] readFixed(String field, int length) throws MalformedFrameException {
        need(length, field);
        byte[] bytes = new byte[length];
        buf.readBytes(bytes);
        return bytes;
    }

    public void expectEnd(String what) throws MalformedFrameException {
        if (buf.isReadable()) {
            throw new MalformedFrameException(what + ": " + buf.readableBytes() + " trailing bytes");
        }
    }
}
