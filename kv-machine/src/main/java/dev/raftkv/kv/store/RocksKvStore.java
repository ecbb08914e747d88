package dev.raftkv.kv.store;

import dev.raftkv.raft.log.DirectoryTree;
import dev.raftkv.raft.server.Snapshot;
import dev.raftkv.raft.server.SnapshotFile;
import dev.raftkv.raft.server.SnapshotWriter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.Cache;
import org.rocksdb.Checkpoint;
import org.rocksdb.CompressionType;
import org.rocksdb.Filter;
import org.rocksdb.FlushOptions;
import org.rocksdb.IndexType;
import org.rocksdb.InfoLogLevel;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The store on disk ({@code --store rocksdb}): one RocksDB database in {@code <data-dir>/kv/db-N/}, named
 * by the file {@code <data-dir>/kv/LIVE}. Keys are prefixed by what they hold: {@code d}+key a value,
 * {@code s}+client id a session, {@code e}+big-endian last index+client id the session age index,
 * {@code m} the {@link KvMeta}, {@code f} the store's format version. Every batch of applied log entries is
 * one {@link WriteBatch}: data, sessions and meta (with the applied index) together.
 *
 * <p>Durability: RocksDB's write-ahead log is off, because the Raft log already is one. A write lands in
 * the memtable; a restart after a crash finds what the last memtable flush made durable (a consistent
 * prefix of batches, with its applied index) and the server replays the log after that index. That is safe
 * because the Raft log is never compacted past a snapshot, and a snapshot is a checkpoint, which flushes the
 * memtables first: whatever the log no longer holds is in table files. A clean stop flushes too.
 *
 * <p>A snapshot is a RocksDB checkpoint: the table files are hard-linked into the snapshot store (no copy),
 * the few small files (MANIFEST, CURRENT, OPTIONS) copied. A snapshot from the leader is installed by
 * building a new {@code db-N+1} from its files (hard links again), opening and checksumming it, and then
 * pointing {@code LIVE} at it with one atomic rename: a crash before that rename comes back with the old
 * database (and the server restores the snapshot again), after it with the new one.
 */
public final class RocksKvStore implements KvStore {
    private static final Logger LOG = LoggerFactory.getLogger(RocksKvStore.class);
    static final int FORMAT = 1;
    private static final byte DATA = 'd';
    private static final byte SESSION = 's';
    private static final byte AGE = 'e';
    private static final byte[] META_KEY = {'m'};
    private static final byte[] FORMAT_KEY = {'f'};
    private static final String LIVE = "LIVE";
    private static final Pattern DB_DIR = Pattern.compile("db-(\\d{20})");
    private static final byte VALUE_FORMAT = 1;
    private static final int CACHE_SHARD_BITS = 2;
    private static final int L0_COMPACTION_TRIGGER = 12;

    static {
        RocksDB.loadLibrary(); // from the rocksdbjni JAR: it carries the native library of every supported platform
    }

    private final Path dir;
    private final RocksSettings settings;
    private final Cache cache;
    private final Filter bloom;
    private final Options options;
    private final WriteOptions writeOptions;
    private final FlushOptions flushOptions;
    private long generation;
    private RocksDB db;
    private KvMeta meta;
    /**
     * At most the lowest last index of any session: where a walk of the age index starts. Every session write
     * deletes an age key and adds a higher one, so the low end of the index is a long run of deletion
     * tombstones; seeking to the start of it would step over all of them at every batch.
     */
    private long oldestAgeHint;

    private RocksKvStore(Path dir, RocksSettings settings) {
        this.dir = dir;
        this.settings = settings;
        // few shards: a shard must hold the largest block it caches, and one of 64 shards of a 64 MiB cache is
        // smaller than the filter of a table of a million keys (it was evicted as it was read: every get read it again)
        this.cache = new LRUCache(settings.blockCacheBytes(), CACHE_SHARD_BITS);
        this.bloom = new BloomFilter(settings.bloomBitsPerKey(), false);
        BlockBasedTableConfig table = new BlockBasedTableConfig()
                .setBlockCache(cache)
                .setCacheIndexAndFilterBlocks(true)
                .setCacheIndexAndFilterBlocksWithHighPriority(true)
                .setPinL0FilterAndIndexBlocksInCache(true)
                // index and filter in 4 KiB partitions, with only their top level pinned: a get reads one small
                // partition, whatever the table's size, and the cache holds what is used
                .setIndexType(IndexType.kTwoLevelIndexSearch)
                .setPartitionFilters(true)
                .setMetadataBlockSize(4096)
                .setPinTopLevelIndexAndFilter(true)
                .setFilterPolicy(bloom)
                .setBlockSize(settings.blockBytes());
        this.options = new Options()
                .setCreateIfMissing(true)
                .setTableFormatConfig(table)
                .setWriteBufferSize(settings.writeBufferBytes())
                .setMaxWriteBufferNumber(settings.maxWriteBuffers())
                .setMaxBackgroundJobs(settings.backgroundJobs())
                .setCompressionType(CompressionType.LZ4_COMPRESSION)
                .setLevelCompactionDynamicLevelBytes(true)
                // every snapshot is a checkpoint, which flushes the memtable: with a snapshot every 10,000 entries
                // level 0 gets many small files, so they are merged into the levels below in larger steps
                .setLevel0FileNumCompactionTrigger(L0_COMPACTION_TRIGGER)
                .setLevel0SlowdownWritesTrigger(L0_COMPACTION_TRIGGER * 3)
                .setLevel0StopWritesTrigger(L0_COMPACTION_TRIGGER * 4)
                .setMaxBytesForLevelBase(64L * 1024 * 1024)
                .setTargetFileSizeBase(16L * 1024 * 1024)
                .setParanoidChecks(true)
                .setAvoidFlushDuringShutdown(false)
                .setInfoLogLevel(InfoLogLevel.WARN_LEVEL)
                .setKeepLogFileNum(2)
                .setMaxLogFileSize(4L * 1024 * 1024);
        this.writeOptions = new WriteOptions().setDisableWAL(true);
        this.flushOptions = new FlushOptions().setWaitForFlush(true);
    }

    /** Opens (or creates) the store in {@code dir}, removing what an interrupted install left there. */
    public static RocksKvStore open(Path dir, RocksSettings settings) throws IOException {
        RocksKvStore store = new RocksKvStore(dir, settings);
        try {
            store.openLive();
            return store;
        } catch (IOException | RuntimeException e) {
            store.close();
            throw e;
        }
    }

    private void openLive() throws IOException {
        Files.createDirectories(dir);
        Path live = dir.resolve(LIVE);
        if (Files.exists(live)) {
            String name = Files.readString(live, StandardCharsets.UTF_8).trim();
            Matcher m = DB_DIR.matcher(name);
            if (!m.matches()) throw new IOException(live + " names '" + name + "', not a database directory");
            generation = Long.parseLong(m.group(1));
        } else {
            generation = 1;
            pointLiveAt(generation);
        }
        removeAllBut(dbDir(generation));
        db = openDb(dbDir(generation));
        meta = readMeta(db, dbDir(generation));
    }

    private RocksDB openDb(Path path) throws IOException {
        try {
            RocksDB opened = RocksDB.open(options, path.toString());
            try {
                byte[] format = opened.get(FORMAT_KEY);
                if (format == null) {
                    if (opened.get(META_KEY) != null) throw new IOException(path + " holds data but no format version");
                    try (WriteBatch b = new WriteBatch()) {
                        b.put(FORMAT_KEY, new byte[]{FORMAT});
                        b.put(META_KEY, encodeMeta(KvMeta.EMPTY));
                        opened.write(writeOptions, b);
                    }
                    opened.flush(flushOptions);
                } else if (format.length != 1 || format[0] != FORMAT) {
                    throw new IOException("the RocksDB store in " + path + " has format " + Arrays.toString(format)
                            + "; this build reads format " + FORMAT + " (it was written by another raftkv version)");
                }
                return opened;
            } catch (IOException | RocksDBException | RuntimeException e) {
                opened.close();
                throw e;
            }
        } catch (RocksDBException e) {
            throw new IOException("opening RocksDB in " + path + " failed: " + e.getMessage(), e);
        }
    }

    private static KvMeta readMeta(RocksDB db, Path path) throws IOException {
        try {
            byte[] m = db.get(META_KEY);
            if (m == null) throw new IOException("the RocksDB store in " + path + " has no meta record");
            return decodeMeta(m);
        } catch (RocksDBException e) {
            throw new IOException(e);
        }
    }

    private Path dbDir(long gen) {
        return dir.resolve(String.format("db-%020d", gen));
    }

    /** The one atomic step of an install: {@code LIVE} names the new database from now on. */
    private void pointLiveAt(long gen) throws IOException {
        Path temp = dir.resolve(LIVE + ".tmp");
        try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(ByteBuffer.wrap((dbDir(gen).getFileName() + "\n").getBytes(StandardCharsets.UTF_8)));
            ch.force(true);
        }
        Files.move(temp, dir.resolve(LIVE), StandardCopyOption.ATOMIC_MOVE);
        syncDirectory(dir);
    }

    /** Deletes every database directory and leftover but {@code keep}: older generations, an install cut short. */
    private void removeAllBut(Path keep) throws IOException {
        try (DirectoryStream<Path> listing = Files.newDirectoryStream(dir)) {
            for (Path p : listing) {
                String name = p.getFileName().toString();
                if (p.equals(keep) || name.equals(LIVE)) continue;
                if (DB_DIR.matcher(name).matches() || name.endsWith(".tmp")) {
                    LOG.info("removing {}, left by an earlier database or an install cut short", p);
                    DirectoryTree.delete(p);
                }
            }
        }
    }

    // ---------------------------------------------------------------- reads

    @Override
    public KvMeta meta() {
        return meta;
    }

    @Override
    public Versioned get(byte[] key) {
        byte[] v = rocksGet(prefixed(DATA, key));
        return v == null ? null : decodeValue(v);
    }

    @Override
    public Cursor<Entry> scan(byte[] startInclusive, byte[] endExclusive) {
        byte[] from = prefixed(DATA, startInclusive == null ? new byte[0] : startInclusive);
        byte[] to = endExclusive == null ? new byte[]{DATA + 1} : prefixed(DATA, endExclusive);
        return new RangeCursor<>(from, to, (k, v) -> new Entry(Arrays.copyOfRange(k, 1, k.length), decodeValue(v)));
    }

    @Override
    public Session session(String clientId) {
        byte[] v = rocksGet(prefixed(SESSION, clientId.getBytes(StandardCharsets.UTF_8)));
        return v == null ? null : decodeSession(clientId, v);
    }

    @Override
    public Cursor<Session> sessionsByAge() {
        boolean[] first = {true};
        return new RangeCursor<>(ageKey(oldestAgeHint), new byte[]{AGE + 1}, (k, v) -> {
            Session s = session(new String(v, StandardCharsets.UTF_8));
            if (s == null) throw new IllegalStateException("the session age index names a session that does not exist");
            if (first[0]) {
                first[0] = false;
                oldestAgeHint = s.lastIndex(); // new sessions only ever come in above it
            }
            return s;
        });
    }

    private byte[] rocksGet(byte[] key) {
        try {
            return db.get(key);
        } catch (RocksDBException e) {
            throw new IllegalStateException("RocksDB read failed: " + e.getMessage(), e);
        }
    }

    /** Iterates [from, to) of the raw key space; closes its native iterator, options and bound when closed. */
    private final class RangeCursor<T> implements Cursor<T> {
        private final Slice upper;
        private final ReadOptions read;
        private final RocksIterator it;
        private final java.util.function.BiFunction<byte[], byte[], T> decode;
        private boolean closed;

        RangeCursor(byte[] from, byte[] to, java.util.function.BiFunction<byte[], byte[], T> decode) {
            this.upper = new Slice(to);
            this.read = new ReadOptions().setIterateUpperBound(upper);
            this.it = db.newIterator(read);
            this.decode = decode;
            it.seek(from);
        }

        @Override
        public boolean hasNext() {
            return !closed && it.isValid();
        }

        @Override
        public T next() {
            if (!hasNext()) throw new NoSuchElementException();
            T t = decode.apply(it.key(), it.value());
            it.next();
            return t;
        }

        @Override
        public void close() {
            if (closed) return;
            closed = true;
            it.close();
            read.close();
            upper.close();
        }
    }

    // ---------------------------------------------------------------- writes

    @Override
    public void write(KvBatch batch) {
        try (WriteBatch wb = new WriteBatch()) {
            // ranges first: a key the batch set after a range went is newer than the range
            for (KvBatch.DeletedRange r : batch.deletedRanges()) {
                wb.deleteRange(prefixed(DATA, r.start()), r.end() == null ? new byte[]{DATA + 1} : prefixed(DATA, r.end()));
            }
            for (var e : batch.data().entrySet()) {
                byte[] key = prefixed(DATA, e.getKey());
                if (e.getValue() == null) wb.delete(key);
                else wb.put(key, encodeValue(e.getValue()));
            }
            for (var e : batch.sessions().entrySet()) {
                byte[] id = e.getKey().getBytes(StandardCharsets.UTF_8);
                KvBatch.SessionChange c = e.getValue();
                if (c.before() != null) wb.delete(ageKey(c.before().lastIndex()));
                if (c.after() == null) {
                    wb.delete(prefixed(SESSION, id));
                } else {
                    wb.put(prefixed(SESSION, id), encodeSession(c.after()));
                    wb.put(ageKey(c.after().lastIndex()), id);
                }
            }
            wb.put(META_KEY, encodeMeta(batch.meta()));
            db.write(writeOptions, wb);
        } catch (RocksDBException e) {
            // the state machine cannot go on without its store: the server stops the node
            throw new IllegalStateException("RocksDB write failed: " + e.getMessage(), e);
        }
        meta = batch.meta();
    }

    // ---------------------------------------------------------------- snapshots

    /**
     * A checkpoint of the database as of the last written batch (this runs on the apply thread, so nothing
     * is written meanwhile). RocksDB flushes the memtables first, so the checkpoint, and the live database,
     * hold everything up to {@link KvMeta#appliedIndex} in table files: that is what lets the log before the
     * snapshot go.
     */
    @Override
    public void snapshot(SnapshotWriter writer) throws IOException {
        Path temp = dir.resolve("checkpoint.tmp");
        DirectoryTree.delete(temp);
        try (Checkpoint checkpoint = Checkpoint.create(db)) {
            checkpoint.createCheckpoint(temp.toString());
        } catch (RocksDBException e) {
            throw new IOException("RocksDB checkpoint failed: " + e.getMessage(), e);
        }
        try {
            for (Path file : sortedFiles(temp)) {
                String name = file.getFileName().toString();
                if (immutable(name)) {
                    writer.linkFile(name, file);
                } else {
                    try (InputStream in = Files.newInputStream(file)) {
                        OutputStream out = writer.newFile(name);
                        in.transferTo(out);
                    }
                }
            }
        } finally {
            DirectoryTree.delete(temp); // the snapshot's links keep the table files
        }
    }

    /** Table and blob files are never changed once written, so hard links to them are safe. */
    private static boolean immutable(String name) {
        return name.endsWith(".sst") || name.endsWith(".blob");
    }

    private static List<Path> sortedFiles(Path d) throws IOException {
        try (Stream<Path> files = Files.list(d)) {
            return files.filter(Files::isRegularFile).sorted().toList();
        }
    }

    @Override
    public void restore(Snapshot snapshot) throws IOException {
        if (snapshot.files().stream().noneMatch(f -> f.name().equals("CURRENT"))) {
            throw new IOException("snapshot " + snapshot.meta().index() + " is not a RocksDB checkpoint (its files: "
                    + snapshot.files().stream().map(SnapshotFile::name).limit(5).toList() + "); every member of a "
                    + "cluster must run the same --store");
        }
        long next = generation + 1;
        Path temp = dir.resolve(dbDir(next).getFileName() + ".tmp");
        DirectoryTree.delete(temp);
        Files.createDirectories(temp);
        for (SnapshotFile f : snapshot.files()) placeFile(snapshot, f, temp.resolve(f.name()));
        syncDirectory(temp);
        Path target = dbDir(next);
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        syncDirectory(dir);
        RocksDB fresh = openDb(target);
        KvMeta freshMeta;
        try {
            freshMeta = readMeta(fresh, target);
            if (freshMeta.appliedIndex() != snapshot.meta().index()) {
                throw new IOException("the checkpoint in snapshot " + snapshot.meta().index() + " holds applied index "
                        + freshMeta.appliedIndex());
            }
            fresh.verifyChecksum(); // reads every table once: the linked files had no checksum of the store's own
        } catch (IOException | RocksDBException | RuntimeException e) {
            fresh.close();
            DirectoryTree.delete(target);
            throw e instanceof IOException io ? io : new IOException("the checkpoint of snapshot " + snapshot.meta().index()
                    + " is damaged: " + e.getMessage(), e);
        }
        closeDb();
        Path old = dbDir(generation);
        pointLiveAt(next);
        db = fresh;
        generation = next;
        meta = freshMeta;
        oldestAgeHint = 0;
        DirectoryTree.delete(old);
        LOG.info("installed the RocksDB checkpoint of snapshot {} as {}", snapshot.meta().index(), target);
    }

    /** A table file is hard-linked from the snapshot store when it is on disk; anything else is copied and synced. */
    private static void placeFile(Snapshot snapshot, SnapshotFile f, Path target) throws IOException {
        Path source = snapshot.path(f.name());
        if (source != null && immutable(f.name())) {
            try {
                Files.createLink(target, source);
                return;
            } catch (UnsupportedOperationException | FileSystemException e) {
                LOG.debug("cannot hard-link {} ({}); copying it", source, e.toString());
            }
        }
        try (InputStream in = snapshot.open(f.name()); FileChannel ch = FileChannel.open(target,
                StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            in.transferTo(java.nio.channels.Channels.newOutputStream(ch));
            ch.force(false);
        }
    }

    private static void syncDirectory(Path d) throws IOException {
        try (FileChannel ch = FileChannel.open(d, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    @Override
    public String describe() {
        return "RocksDB store in " + dbDir(generation) + ": " + settings.describe();
    }

    /** RocksDB's own estimate of the number of keys (data and sessions), for benchmarks and logs. */
    public long estimatedKeys() {
        try {
            return Long.parseLong(db.getProperty("rocksdb.estimate-num-keys"));
        } catch (RocksDBException | NumberFormatException e) {
            return -1;
        }
    }

    private void closeDb() {
        if (db == null) return;
        try {
            db.flush(flushOptions); // the WAL is off: what is only in the memtable would be lost
        } catch (RocksDBException e) {
            LOG.warn("flushing RocksDB in {} before closing failed ({}); the log replays what is missing", dir, e.getMessage());
        }
        db.close();
        db = null;
    }

    /** Flushes and closes the database, then every option object it used. Safe to call more than once. */
    @Override
    public void close() {
        closeDb();
        flushOptions.close();
        writeOptions.close();
        options.close();
        bloom.close();
        cache.close();
    }

    // ---------------------------------------------------------------- encodings

    private static byte[] prefixed(byte prefix, byte[] key) {
        byte[] out = new byte[key.length + 1];
        out[0] = prefix;
        System.arraycopy(key, 0, out, 1, key.length);
        return out;
    }

    private static byte[] ageKey(long lastIndex) {
        return ByteBuffer.allocate(9).put(AGE).putLong(lastIndex).array();
    }

    static byte[] encodeValue(Versioned v) {
        ByteBuffer b = ByteBuffer.allocate(1 + 24 + v.value().length);
        b.put(VALUE_FORMAT).putLong(v.createRevision()).putLong(v.modRevision()).putLong(v.version()).put(v.value());
        return b.array();
    }

    static Versioned decodeValue(byte[] raw) {
        ByteBuffer b = ByteBuffer.wrap(raw);
        if (b.get() != VALUE_FORMAT) throw new IllegalStateException("a stored value of an unknown format " + raw[0]);
        long create = b.getLong();
        long mod = b.getLong();
        long version = b.getLong();
        return new Versioned(Arrays.copyOfRange(raw, 25, raw.length), create, mod, version);
    }

    private static byte[] encodeSession(Session s) {
        ByteBuffer b = ByteBuffer.allocate(1 + 24 + s.result().length);
        b.put(VALUE_FORMAT).putLong(s.seq()).putLong(s.lastIndex()).putLong(s.lastTime()).put(s.result());
        return b.array();
    }

    private static Session decodeSession(String clientId, byte[] raw) {
        ByteBuffer b = ByteBuffer.wrap(raw);
        if (b.get() != VALUE_FORMAT) throw new IllegalStateException("a stored session of an unknown format " + raw[0]);
        long seq = b.getLong();
        long lastIndex = b.getLong();
        long lastTime = b.getLong();
        return new Session(clientId, seq, Arrays.copyOfRange(raw, 25, raw.length), lastIndex, lastTime);
    }

    private static byte[] encodeMeta(KvMeta m) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VALUE_FORMAT);
            MemorySnapshotFormat.writeMeta(out, m);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static KvMeta decodeMeta(byte[] raw) throws IOException {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(raw))) {
            if (in.readByte() != VALUE_FORMAT) throw new IOException("a meta record of an unknown format " + raw[0]);
            return MemorySnapshotFormat.readMeta(in);
        }
    }

}
