package dev.raftkv.transport;

import dev.raftkv.raft.Message;
import dev.raftkv.raft.server.SnapshotFile;
import dev.raftkv.raft.server.SnapshotWriter;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Writes the chunks of one incoming snapshot stream into a snapshot store's temporary files as they
 * arrive, file after file in the order the begin frame listed them, so memory holds one chunk at a time
 * whatever the snapshot's size. The sizes the begin frame announced are checked against the receiver's
 * limit and against the chunks; each file's CRC32C, where the sender recorded one, against the one
 * announced. A stream that is refused or abandoned is discarded with its files.
 */
final class SnapshotAssembly {
    private final SnapshotBegin begin;
    private final SnapshotWriter writer;
    private final List<SnapshotFile> files;
    private final long total;
    /** The file being written: index into {@link #files}, -1 before the first. */
    private int current = -1;
    private OutputStream out;
    private CRC32C crc;
    private long fileReceived;
    private long received;
    private boolean complete;

    SnapshotAssembly(SnapshotBegin begin, SnapshotWriter writer) {
        this.begin = begin;
        this.writer = writer;
        this.files = begin.files();
        this.total = begin.totalBytes();
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
     * @return true once the last chunk is in and every file matches its checksum
     * @throws MalformedFrameException if the chunk leaves a gap, overlaps, crosses a file's end, overruns the
     *                                 announced size, ends the stream short of it, or a file fails its checksum
     * @throws IOException             if a snapshot file cannot be written
     */
    boolean add(SnapshotChunk chunk) throws MalformedFrameException, IOException {
        if (complete) throw new MalformedFrameException("chunk after the last one of stream " + begin.streamId());
        if (chunk.offset() != received) {
            throw new MalformedFrameException("snapshot chunk at offset " + chunk.offset() + ", expected " + received);
        }
        if (chunk.data().length > total - received) {
            throw new MalformedFrameException("snapshot chunks overrun the announced " + total + " bytes");
        }
        if (chunk.data().length > 0) {
            openFileWithRoom();
            SnapshotFile f = files.get(current);
            if (chunk.data().length > f.size() - fileReceived) {
                throw new MalformedFrameException("snapshot chunk at offset " + chunk.offset() + " crosses the end of file "
                        + f.name());
            }
            out.write(chunk.data());
            crc.update(chunk.data());
            fileReceived += chunk.data().length;
            received += chunk.data().length;
            if (fileReceived == f.size()) checkFile();
        }
        if (chunk.last()) {
            if (received != total) {
                throw new MalformedFrameException("snapshot stream ended at " + received + " of " + total + " bytes");
            }
            while (current < files.size() - 1) nextFile(); // empty files at the end have no chunks
            complete = true;
        }
        return complete;
    }

    /** Moves on to the first file that still expects bytes, creating the empty ones passed on the way. */
    private void openFileWithRoom() throws IOException, MalformedFrameException {
        while (current < 0 || fileReceived == files.get(current).size()) nextFile();
    }

    private void nextFile() throws IOException, MalformedFrameException {
        current++;
        out = writer.newFile(files.get(current).name());
        crc = new CRC32C();
        fileReceived = 0;
        if (files.get(current).size() == 0) checkFile();
    }

    /** The file is complete: it must match the checksum its sender announced, if it announced one. */
    private void checkFile() throws MalformedFrameException {
        SnapshotFile f = files.get(current);
        if (f.hasCrc() && crc.getValue() != f.crc32c()) {
            throw new MalformedFrameException("snapshot file " + f.name() + " of stream " + begin.streamId()
                    + " fails the CRC32C its sender announced (" + crc.getValue() + ", announced " + f.crc32c() + ")");
        }
    }

    Message.InstallSnapshot message() {
        return begin.message();
    }

    /** The filled writer, for the sink, which commits or discards it from now on. */
    SnapshotWriter writer() {
        if (!complete) throw new IllegalStateException("stream " + begin.streamId() + " is not complete");
        return writer;
    }

    /** Throws away what arrived (the temporary files). */
    void abandon() {
        writer.close();
    }
}
