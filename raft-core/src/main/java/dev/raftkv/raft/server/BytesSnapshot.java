package dev.raftkv.raft.server;

import dev.raftkv.raft.SnapshotMeta;

import java.io.ByteArrayInputStream;
import java.io.FileNotFoundException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/** A snapshot whose files are in memory: the in-memory twins' kind. The arrays are never modified after construction. */
record BytesSnapshot(SnapshotMeta meta, Map<String, byte[]> data, List<SnapshotFile> files) implements Snapshot {
    /** @param data file name to bytes, in the order the files were written */
    BytesSnapshot(SnapshotMeta meta, Map<String, byte[]> data) {
        this(meta, new LinkedHashMap<>(data), describe(data));
    }

    private static List<SnapshotFile> describe(Map<String, byte[]> data) {
        List<SnapshotFile> out = new ArrayList<>();
        data.forEach((name, bytes) -> {
            CRC32C crc = new CRC32C();
            crc.update(bytes);
            out.add(new SnapshotFile(name, bytes.length, crc.getValue()));
        });
        return List.copyOf(out);
    }

    @Override
    public InputStream open(String file) throws FileNotFoundException {
        byte[] bytes = data.get(file);
        if (bytes == null) throw new FileNotFoundException("snapshot " + meta.index() + " has no file " + file);
        return new ByteArrayInputStream(bytes);
    }
}
