package dev.raftkv.transport;

import dev.raftkv.raft.Message;
import io.netty.buffer.ByteBuf;

/**
 * Opens a snapshot stream: type byte, stream id (i64), total snapshot bytes (i64), CRC32C of the whole
 * snapshot as the sender's store recorded it (u32), then the InstallSnapshot message as {@link RaftCodec}
 * writes it. {@link SnapshotChunk} frames with the same stream id follow on the same connection. The
 * whole-snapshot checksum catches what chunk checksums cannot: a sender whose stored file was damaged
 * after it was written.
 */
record SnapshotBegin(long streamId, long totalBytes, long crc32c, Message.InstallSnapshot message) {

    void encode(RaftCodec codec, ByteBuf out) {
        out.writeByte(WireFormat.SNAPSHOT_BEGIN);
        out.writeLong(streamId);
        out.writeLong(totalBytes);
        out.writeInt((int) crc32c);
        codec.encode(message, out);
    }

    static SnapshotBegin decode(RaftCodec codec, ByteBuf body) throws MalformedFrameException {
        WireReader r = new WireReader(body);
        byte type = r.readByte("type");
        if (type != WireFormat.SNAPSHOT_BEGIN) throw new MalformedFrameException("not a snapshot begin: type " + type);
        long streamId = r.readLong("stream id");
        long totalBytes = r.readLong("snapshot size");
        if (totalBytes < 0) throw new MalformedFrameException("snapshot size " + totalBytes);
        long crc32c = Integer.toUnsignedLong(r.readInt("snapshot crc32c"));
        Message m = codec.read(r);
        if (!(m instanceof Message.InstallSnapshot install)) {
            throw new MalformedFrameException("snapshot stream opened by " + m.getClass().getSimpleName());
        }
        r.expectEnd("snapshot begin");
        return new SnapshotBegin(streamId, totalBytes, crc32c, install);
    }
}
