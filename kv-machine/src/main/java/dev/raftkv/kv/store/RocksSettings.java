package dev.raftkv.kv.store;

/**
 * The RocksDB options a node sets, each on purpose (RocksDB's defaults are tuned for other machines), and
 * printed at start. Memory RocksDB takes is outside the Java heap: about {@code blockCacheBytes} plus
 * {@code writeBufferBytes * maxWriteBuffers}, whatever the data size, because index and filter blocks are
 * kept in the block cache too ({@code cache_index_and_filter_blocks}) instead of growing with every table.
 *
 * @param blockCacheBytes  LRU cache of data, index and filter blocks (shared by reads and compactions)
 * @param writeBufferBytes one memtable; a full one is flushed to a level-0 table in the background
 * @param maxWriteBuffers  memtables in memory at once (the one written, the ones being flushed)
 * @param bloomBitsPerKey  bloom filter bits per key in each table, so a get of an absent key seldom reads a block
 * @param blockBytes       uncompressed size of a data block
 * @param backgroundJobs   flush and compaction threads
 */
public record RocksSettings(long blockCacheBytes, long writeBufferBytes, int maxWriteBuffers, int bloomBitsPerKey,
                            long blockBytes, int backgroundJobs) {
    private static final long MIB = 1024 * 1024;
    /** Sized for a small node (the 2-core, 256 MiB-heap machines raftkv is benchmarked on): about 128 MiB of native memory. */
    public static final RocksSettings DEFAULT = new RocksSettings(64 * MIB, 32 * MIB, 2, 10, 16 * 1024, 2);

    public RocksSettings {
        if (blockCacheBytes < MIB || writeBufferBytes < MIB || maxWriteBuffers < 2 || bloomBitsPerKey < 0
                || blockBytes < 1024 || backgroundJobs < 1) {
            throw new IllegalArgumentException("implausible RocksDB settings " + this);
        }
    }

    String describe() {
        return "block cache " + blockCacheBytes / MIB + " MiB (LRU, 4 shards, partitioned index and filter blocks in it), write buffer "
                + writeBufferBytes / MIB + " MiB x " + maxWriteBuffers + ", bloom filter " + bloomBitsPerKey + " bits/key, "
                + blockBytes / 1024 + " KiB blocks, LZ4, level 0 compacted at 12 files, level base 64 MiB, " + backgroundJobs
                + " background jobs, WAL off (the Raft log is "
                + "the write-ahead log; the log is compacted only up to a checkpoint, and a checkpoint flushes the memtables)";
    }
}
