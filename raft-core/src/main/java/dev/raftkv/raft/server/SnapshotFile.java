package dev.raftkv.raft.server;

import java.util.regex.Pattern;

/**
 * One file of a snapshot: its name inside the snapshot, its size, and the CRC32C its store recorded, or
 * {@link #NO_CRC} for a file the store took over by hard link without reading it (a RocksDB table
 * file, which carries checksums of its own blocks).
 */
public record SnapshotFile(String name, long size, long crc32c) {
    public static final long NO_CRC = -1;
    /** Plain file names only: no directories, nothing hidden, nothing that needs quoting. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,127}");
    /** The one name a store keeps for itself. */
    public static final String MANIFEST = "manifest.json";

    public SnapshotFile {
        checkName(name);
        if (size < 0) throw new IllegalArgumentException("snapshot file " + name + " has size " + size);
        if (crc32c != NO_CRC && (crc32c < 0 || crc32c > 0xFFFFFFFFL)) {
            throw new IllegalArgumentException("snapshot file " + name + " has crc32c " + crc32c);
        }
    }

    public boolean hasCrc() {
        return crc32c != NO_CRC;
    }

    /** @throws IllegalArgumentException unless {@code name} can be a snapshot file's name */
    public static String checkName(String name) {
        if (name == null || !NAME.matcher(name).matches() || name.equals(MANIFEST)) {
            throw new IllegalArgumentException("'" + name + "' cannot name a snapshot file (letters, digits, '.', '_', '-'; "
                    + "at most 128; not " + MANIFEST + ")");
        }
        return name;
    }
}
