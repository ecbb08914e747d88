package dev.raftkv.transport;

import io.netty.buffer.ByteBuf;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;

/**
 * Writes fields in the layout {@link WireReader} reads. A value the reader would refuse (an id over its
 * limit, a string with an unpaired surrogate) is refused here already, with IllegalArgumentException:
 * better that the sender learns it than that the receiver drops the connection.
 */
final class WireWriter {
    private WireWriter() {
    }

    static void writeBoolean(ByteBuf out, boolean value) {
        out.writeByte(value ? 1 : 0);
    }

    static void writeString(ByteBuf out, String field, String value, int maxBytes) {
        ByteBuffer bytes = checkString(field, value, maxBytes);
        out.writeShort(bytes.remaining());
        out.writeBytes(bytes);
    }

    /** What {@link #writeString} writes for a valid {@code value}: its u16 length and its UTF-8 bytes. */
    static int stringBytes(String value) {
        return 2 + value.getBytes(StandardCharsets.UTF_8).length;
    }

    /** @return the UTF-8 bytes of a string {@link WireReader#readString} will accept */
    static ByteBuffer checkString(String field, String value, int maxBytes) {
        ByteBuffer bytes = utf8(field, value);
        if (bytes.remaining() > maxBytes) {
            throw new IllegalArgumentException(field + " is " + bytes.remaining() + " UTF-8 bytes, limit " + maxBytes);
        }
        return bytes;
    }

    static void writeBytes(ByteBuf out, byte[] value) {
        out.writeInt(value.length);
        out.writeBytes(value);
    }

    private static ByteBuffer utf8(String field, String value) {
        if (value == null) throw new IllegalArgumentException(field + " is null");
        try {
            // String.getBytes would turn an unpaired surrogate into '?', and the peer would see another id
            return StandardCharsets.UTF_8.newEncoder().encode(CharBuffer.wrap(value));
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(field + " is not valid Unicode: " + e.getMessage(), e);
        }
    }
}
