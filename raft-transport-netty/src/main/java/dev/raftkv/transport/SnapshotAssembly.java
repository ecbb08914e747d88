package dev.raftkv.transport;

import dev.raftkv.raft.Message;
import dev.raftkv.raft.server.SnapshotWriter;

import java.io.IOException;
import java.util.zip.CRC32C;

/**
 * Writes the chunks of one incoming snapshot stream into a snapshot store's temporary file as they
 * arrive, so memory holds one chunk at a time whatever the snapshot's size. The size the begin frame
 * announced is checked against the receiver's limit and against the chunks; the whole stream's CRC32C
 * against the one announced. A stream that is refused or abandoned is discarded with its file.
 */
final class SnapshotAssembly {
    private final SnapshotBegin begin;
    private final SnapshotWriter writer;
    private final CRC32C crc = new CRC32C();
    private long received;
    private boolean complete;

    SnapshotAssembly(SnapshotBegin begin, SnapshotWriter writer) {
        this.begin = begin;
        this.writer = writer;
    }

    long streamId() {
        return begin.streamId();
    }

    long received() {
        return received;
    }

    /**
     * Writes the next chunk, which must start where the previous one ended (one TCP connection keeps order).
     *
     * @return true once the last chunk is in and the whole stream matches its checksum
     * @throws MalformedFrameException if the chunk leaves a gap, overlaps, overruns the announced size,
     *                                 ends the stream short of it, or the whole fails its checksum
     * @throws IOException             if the snapshot file cannot be written
     */
    boolean add(SnapshotChunk chunk) throws MalformedFrameException, IOException {
        if (complete) throw new MalformedFrameException("chunk after the last one of stream " + begin.streamId());
        if (chunk.offset() != received) {
            throw new MalformedFrameException("snapshot chunk at offset " + chunk.offset() + ", expected " + received);
        }
        if (chunk.data().length > begin.totalBytes() - received) {
            throw new MalformedFrameException("snapshot chunks overrun the announced " + begin.totalBytes() + " bytes");
        }
        writer.out().write(chunk.data());
        crc.update(chunk.data());
        received += chunk.data().length;
        if (chunk.last()) {
            if (received != begin.totalBytes()) {
                throw new MalformedFrameException("snapshot stream ended at " + received + " of "
                        + begin.totalBytes() + " bytes");
            }
            if (crc.getValue() != begin.crc32c()) {
                throw new MalformedFrameException("snapshot stream " + begin.streamId() + " fails the CRC32C its sender "
                        + "announced (" + crc.getValue() + ", announced " + begin.crc32c() + ")");
            }
            complete = true;
        }
        return complete;
    }

    Message.InstallSnapshot message() {
        return begin.message();
    }

    /** The filled writer, for the sink, which commits or discards it from now on. */
    SnapshotWriter writer() {
        if (!complete) throw new IllegalStateException("stream " + begin.streamId() + " is not complete");
        return writer;
    }

    /** Throws away what arrived (the temporary file). */
    void abandon() {
        writer.close();
    }
}
