package dev.raftkv.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;

import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * One piece of a snapshot stream: type byte, stream id (i64), offset of the piece in the snapshot (i64),
 * last flag (u8), CRC32C of the data (u32), data (i32 length + bytes). The last chunk ends the stream; an
 * empty snapshot is one empty last chunk. The checksum lets a receiver refuse a damaged chunk at once,
 * before it reaches the snapshot file.
 */
record SnapshotChunk(long streamId, long offset, boolean last, byte[] data) {
    /** type + stream id + offset + last + crc32c + data length */
    static final int HEADER_BYTES = 1 + 8 + 8 + 1 + 4 + 4;

    /**
     * The whole frame (length prefix included) around {@code data}, which it takes over (the frame
     * releases it). The data is wrapped, not copied.
     */
    static ByteBuf frame(ByteBufAllocator alloc, long streamId, long offset, ByteBuf data, boolean last) {
        int length = data.readableBytes();
        CRC32C crc = new CRC32C();
        crc.update(data.nioBuffer());
        ByteBuf header = alloc.buffer(Framing.LENGTH_BYTES + HEADER_BYTES);
        header.writeInt(HEADER_BYTES + length);
        header.writeByte(WireFormat.SNAPSHOT_CHUNK);
        header.writeLong(streamId);
        header.writeLong(offset);
        WireWriter.writeBoolean(header, last);
        header.writeInt((int) crc.getValue());
        header.writeInt(length);
        return Unpooled.wrappedBuffer(header, data);
    }

    /** @throws MalformedFrameException if the frame is malformed or its data does not match its checksum */
    static SnapshotChunk decode(ByteBuf body) throws MalformedFrameException {
        WireReader r = new WireReader(body);
        byte type = r.readByte("type");
        if (type != WireFormat.SNAPSHOT_CHUNK) throw new MalformedFrameException("not a snapshot chunk: type " + type);
        long streamId = r.readLong("stream id");
        long offset = r.readLong("offset");
        if (offset < 0) throw new MalformedFrameException("chunk offset " + offset);
        boolean last = r.readBoolean("last");
        long expectedCrc = Integer.toUnsignedLong(r.readInt("crc32c"));
        // the frame limit already bounds the data; readBytes checks it against what the frame holds
        byte[] data = r.readBytes("chunk data", Integer.MAX_VALUE);
        r.expectEnd("snapshot chunk");
        CRC32C crc = new CRC32C();
        crc.update(data);
        if (crc.getValue() != expectedCrc) {
            throw new MalformedFrameException("snapshot chunk at offset " + offset + " of stream " + streamId
                    + " fails its CRC32C (" + crc.getValue() + ", sent " + expectedCrc + ")");
        }
        return new SnapshotChunk(streamId, offset, last, data);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SnapshotChunk c && c.streamId == streamId && c.offset == offset && c.last == last
                && Arrays.equals(c.data, data);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(streamId) * 31 + Long.hashCode(offset) * 17 + Arrays.hashCode(data) + (last ? 1 : 0);
    }

    @Override
    public String toString() {
        return "SnapshotChunk[" + streamId + " @" + offset + " " + data.length + "B" + (last ? " last" : "") + "]";
    }
}
