package dev.raftkv.transport;

import dev.raftkv.raft.Message;
import dev.raftkv.raft.server.SnapshotFile;
import io.netty.buffer.ByteBuf;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Opens a snapshot stream: type byte, stream id (i64), the number of files (i32), then for each file its
 * name (u16 length + UTF-8), size (i64) and CRC32C as the sender's store recorded it (i64, -1 for a file
 * the store never read: its own format checks it), then the InstallSnapshot message as {@link RaftCodec}
 * writes it. {@link SnapshotChunk} frames with the same stream id follow on the same connection, carrying
 * the files one after another in this order (a chunk never spans two files). The per-file checksums catch
 * what chunk checksums cannot: a sender whose stored file was damaged after it was written.
 */
record SnapshotBegin(long streamId, List<SnapshotFile> files, Message.InstallSnapshot message) {
    /** A RocksDB checkpoint has a few files per 64 MiB of data; this bounds what a hostile begin frame costs. */
    static final int MAX_FILES = 100_000;
    private static final int MAX_NAME_BYTES = 128;

    SnapshotBegin {
        files = List.copyOf(files);
    }

    long totalBytes() {
        long total = 0;
        for (SnapshotFile f : files) total += f.size();
        return total;
    }

    void encode(RaftCodec codec, ByteBuf out) {
        out.writeByte(WireFormat.SNAPSHOT_BEGIN);
        out.writeLong(streamId);
        out.writeInt(files.size());
        for (SnapshotFile f : files) {
            WireWriter.writeString(out, "snapshot file name", f.name(), MAX_NAME_BYTES);
            out.writeLong(f.size());
            out.writeLong(f.crc32c());
        }
        codec.encode(message, out);
    }

    static SnapshotBegin decode(RaftCodec codec, ByteBuf body) throws MalformedFrameException {
        WireReader r = new WireReader(body);
        byte type = r.readByte("type");
        if (type != WireFormat.SNAPSHOT_BEGIN) throw new MalformedFrameException("not a snapshot begin: type " + type);
        long streamId = r.readLong("stream id");
        int count = r.readInt("file count");
        if (count < 0 || count > MAX_FILES) throw new MalformedFrameException("snapshot of " + count + " files");
        List<SnapshotFile> files = new ArrayList<>();
        Set<String> names = new HashSet<>();
        long total = 0;
        for (int i = 0; i < count; i++) {
            String name = r.readString("snapshot file name", MAX_NAME_BYTES);
            long size = r.readLong("snapshot file size");
            long crc = r.readLong("snapshot file crc32c");
            SnapshotFile f;
            try {
                f = new SnapshotFile(name, size, crc);
            } catch (IllegalArgumentException e) {
                throw new MalformedFrameException(e.getMessage());
            }
            if (!names.add(name)) throw new MalformedFrameException("snapshot file " + name + " listed twice");
            total += size;
            if (total < 0) throw new MalformedFrameException("snapshot size overflows");
            files.add(f);
        }
        Message m = codec.read(r);
        if (!(m instanceof Message.InstallSnapshot install)) {
            throw new MalformedFrameException("snapshot stream opened by " + m.getClass().getSimpleName());
        }
        r.expectEnd("snapshot begin");
        return new SnapshotBegin(streamId, files, install);
    }
}
