package dev.raftkv.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.util.function.Consumer;

/**
 * A frame is an i32 body length, then the body. The length must be at least 1 (every body starts with a
 * type byte or the hello's magic) and at most the receiver's limit; a length outside that range is a
 * broken or hostile stream, never something to wait for.
 */
final class Framing {
    static final int LENGTH_BYTES = 4;

    private Framing() {
    }

    /**
     * A whole frame: the body that {@code writeBody} appends, behind its length.
     *
     * @throws IllegalArgumentException if the body cannot be encoded or is longer than {@code maxBodyBytes}
     */
    static ByteBuf frame(ByteBufAllocator alloc, int maxBodyBytes, Consumer<ByteBuf> writeBody) {
        ByteBuf frame = alloc.buffer();
        try {
            frame.writeInt(0); // patched once the body length is known
            writeBody.accept(frame);
            int bodyBytes = frame.readableBytes() - LENGTH_BYTES;
            if (bodyBytes > maxBodyBytes) throw new IllegalArgumentException(tooLong(bodyBytes, maxBodyBytes));
            frame.setInt(0, bodyBytes);
            return frame;
        } catch (RuntimeException e) {
            frame.release();
            throw e;
        }
    }

    static String tooLong(long bodyBytes, int maxBodyBytes) {
        return "frame body of " + bodyBytes + " bytes, limit " + maxBodyBytes;
    }

    /**
     * Takes the next whole frame's body off {@code in}.
     *
     * @return the body as a retained slice the caller releases, or null if the frame is not complete yet
     * @throws MalformedFrameException if the length prefix is below 1 or above {@code maxBodyBytes}
     */
    static ByteBuf readFrame(ByteBuf in, int maxBodyBytes) throws MalformedFrameException {
        if (in.readableBytes() < LENGTH_BYTES) return null;
        int bodyBytes = in.getInt(in.readerIndex());
        if (bodyBytes < 1 || bodyBytes > maxBodyBytes) {
            throw new MalformedFrameException("frame length " + bodyBytes + " outside 1.." + maxBodyBytes);
        }
        if (in.readableBytes() < LENGTH_BYTES + bodyBytes) return null;
        in.skipBytes(LENGTH_BYTES);
        return in.readRetainedSlice(bodyBytes);
    }
}
