package dev.raftkv.transport;

import dev.raftkv.raft.Message;
import dev.raftkv.raft.server.Snapshot;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects the chunks of one incoming snapshot stream. Memory grows with the bytes that actually
 * arrived, not with the size the begin frame announced: the announced size is only checked against
 * the receiver's limit, and a stream that lies about it is refused when the chunks disagree.
 */
final class SnapshotAssembly {
    private final SnapshotBegin begin;
    private final List<byte[]> chunks = new ArrayList<>();
    private long received;
    private boolean complete;

    SnapshotAssembly(SnapshotBegin begin) {
        this.begin = begin;
    }

    long streamId() {
        return begin.streamId();
    }

    /**
     * Adds the next chunk, which must start where the previous one ended (one TCP connection keeps order).
     *
     * @return true once the last chunk is in
     * @throws MalformedFrameException if the chunk leaves a gap, overlaps, overruns the announced size,
     *                                 or ends the stream short of it
     */
    boolean add(SnapshotChunk chunk) throws MalformedFrameException {
        if (complete) throw new MalformedFrameException("chunk after the last one of stream " + begin.streamId());
        if (chunk.offset() != received) {
            throw new MalformedFrameException("snapshot chunk at offset " + chunk.offset() + ", expected " + received);
        }
        if (chunk.data().length > begin.totalBytes() - received) {
            throw new MalformedFrameException("snapshot chunks overrun the announced " + begin.totalBytes() + " bytes");
        }
        received += chunk.data().length;
        if (chunk.data().length > 0) chunks.add(chunk.data());
        if (chunk.last()) {
            if (received != begin.totalBytes()) {
                throw new MalformedFrameException("snapshot stream ended at " + received + " of "
                        + begin.totalBytes() + " bytes");
            }
            complete = true;
        }
        return complete;
    }

    Message.InstallSnapshot message() {
        return begin.message();
    }

    /** The snapshot as the sink receives it; its meta is the one the message carries. */
    Snapshot snapshot() {
        if (!complete) throw new IllegalStateException("stream " + begin.streamId() + " is not complete");
        byte[] data = new byte[Math.toIntExact(received)];
        int at = 0;
        for (byte[] chunk : chunks) {
            System.arraycopy(chunk, 0, data, at, chunk.length);
            at += chunk.length;
        }
        return new Snapshot(begin.message().meta(), data);
    }
}
