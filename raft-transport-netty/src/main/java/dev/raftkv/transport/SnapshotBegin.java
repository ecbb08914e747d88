package dev.raftkv.transport;

import dev.raftkv.raft.Message;
import io.netty.buffer.ByteBuf;

/**
 * Opens a snapshot stream: type byte, stream id (i64), total snapshot bytes (i64), then the
 * InstallSnapshot message as {@link RaftCodec} writes it. {@link SnapshotChunk} frames with the same
 * stream id follow on the same connection.
 */
record SnapshotBegin(long streamId, long totalBytes, Message.InstallSnapshot message) {

    void encode(RaftCodec codec, ByteBuf out) {
        out.writeByte(WireFormat.SNAPSHOT_BEGIN);
        out.writeLong(streamId);
        out.writeLong(totalBytes);
        codec.encode(message, out);
    }

    static SnapshotBegin decode(RaftCodec codec, ByteBuf body) throws MalformedFrameException {
        WireReader r = new WireReader(body);
        byte type = r.readByte("type");
        if (type != WireFormat.SNAPSHOT_BEGIN) throw new MalformedFrameException("not a snapshot begin: type " + type);
        long streamId = r.readLong("stream id");
        long totalBytes = r.readLong("snapshot size");
        if (totalBytes < 0) throw new MalformedFrameException("snapshot size " + totalBytes);
        Message m = codec.read(r);
        if (!(m instanceof Message.InstallSnapshot install)) {
            throw new MalformedFrameException("snapshot stream opened by " + m.getClass().getSimpleName());
        }
        r.expectEnd("snapshot begin");
        return new SnapshotBegin(streamId, totalBytes, install);
    }
}
