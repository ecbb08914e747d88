package dev.raftkv.raft.server;

import dev.raftkv.raft.SnapshotMeta;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.zip.CRC32C;

/** A snapshot whose bytes are in memory: the in-memory twins' kind. The array is never modified after construction. */
record BytesSnapshot(SnapshotMeta meta, byte[] data) implements Snapshot {
    @Override
    public long size() {
        return data.length;
    }

    @Override
    public long crc32c() {
        CRC32C crc = new CRC32C();
        crc.update(data);
        return crc.getValue();
    }

    @Override
    public InputStream open() {
        return new ByteArrayInputStream(data);
    }
}
