package dev.raftkv.raft.server;

import dev.raftkv.raft.SnapshotMeta;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A stored snapshot: its description and the state machine's files, each read as a stream as often as
 * needed (to restore, to send to a follower). A machine that writes one stream has one file,
 * {@link #DATA}; one made of several (a RocksDB checkpoint) has several. The bytes are not held by this
 * object: a file-based store opens the file on each {@link #open}, so a snapshot larger than the heap is fine.
 */
public interface Snapshot {
    /** The file name of a snapshot written as a single stream. */
    String DATA = "data";

    SnapshotMeta meta();

    /** The files, in the order they were written (and are sent). */
    List<SnapshotFile> files();

    /** A fresh stream of one file from its first byte; the caller closes it. A file-based store checks the CRC32C it recorded once the last byte is read. */
    InputStream open(String file) throws IOException;

    /** Where the file lies on disk, for a machine that hard-links it instead of copying it; null if it is not on disk. */
    default Path path(String file) {
        return null;
    }

    /** How many bytes all files hold together. */
    default long size() {
        return files().stream().mapToLong(SnapshotFile::size).sum();
    }

    /**
     * Keeps the files from being deleted until the handle is closed, even if newer snapshots make the store
     * drop this one meanwhile: a stream to a follower or a restore reads them one after another.
     */
    default Retained retain() {
        return () -> {
        };
    }

    /** A hold on a snapshot's files; closing it more than once is harmless. */
    interface Retained extends AutoCloseable {
        @Override
        void close();
    }

    /** Writes every file of this snapshot into {@code to}, file by file (what an in-memory network delivers). */
    default void copyTo(SnapshotWriter to) throws IOException {
        for (SnapshotFile f : files()) {
            try (InputStream in = open(f.name())) {
                OutputStream out = to.newFile(f.name());
                in.transferTo(out);
            }
        }
    }

    /** A snapshot of one {@link #DATA} file held in memory, for in-memory stores and tests. */
    static Snapshot ofBytes(SnapshotMeta meta, byte[] data) {
        return new BytesSnapshot(meta, Map.of(DATA, data));
    }

    /** A snapshot of several files held in memory (name to bytes, in the order they were written). */
    static Snapshot ofFiles(SnapshotMeta meta, Map<String, byte[]> files) {
        return new BytesSnapshot(meta, files);
    }
}
