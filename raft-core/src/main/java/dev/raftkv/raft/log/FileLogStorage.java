package dev.raftkv.raft.log;

import dev.raftkv.raft.Entry;
import dev.raftkv.raft.HardState;
import dev.raftkv.raft.SnapshotMeta;
import dev.raftkv.raft.server.LogStorage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * {@link LogStorage} on disk: a {@link SegmentedLog} in {@code <dir>/log/} and a {@link HardStateFile}
 * in {@code <dir>/meta}, both owned by one {@link LogWriter} thread that group-commits.
 * Opening scans the log, so corruption is found before the node starts.
 */
public final class FileLogStorage implements LogStorage, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FileLogStorage.class);

    /**
     * @param maxSegmentBytes a segment is rolled before it would grow past this
     * @param syncer          how bytes are made durable (tests count or break it)
     */
    public record Options(long maxSegmentBytes, Syncer syncer) {
        public static final Options DEFAULT = new Options(SegmentedLog.DEFAULT_SEGMENT_BYTES, Syncer.FSYNC);
    }

    private final Path dir;
    private final SegmentedLog log;
    private final LogWriter writer;

    private FileLogStorage(Path dir, SegmentedLog log, LogWriter writer) {
        this.dir = dir;
        this.log = log;
        this.writer = writer;
    }

    /** Who is told of each group commit (metrics); any thread, at any time. */
    public void observeFlushes(FlushObserver observer) {
        writer.observe(observer);
    }

    public static FileLogStorage open(Path dir) throws IOException {
        return open(dir, Options.DEFAULT);
    }

    /** @throws CorruptLogException if the log or the hard state is damaged beyond what a crash leaves */
    public static FileLogStorage open(Path dir, Options options) throws IOException {
        Files.createDirectories(dir);
        HardStateFile hardStateFile = new HardStateFile(dir, options.syncer());
        HardState hardState = hardStateFile.read();
        SegmentedLog log = SegmentedLog.open(dir.resolve("log"), options.maxSegmentBytes(), options.syncer());
        LogWriter writer = new LogWriter(log, hardStateFile, hardState, "log-writer-" + dir.getFileName());
        return new FileLogStorage(dir, log, writer);
    }

    /**
     * Runs on the writer thread, after every write queued before it. Beyond what the interface
     * promises, it refuses a log that starts after {@code snapshot + 1}: the entries in between
     * would be missing (the snapshot that covered them is lost), and going on would silently drop
     * entries this node may have acknowledged.
     *
     * @throws UncheckedIOException  if the log cannot be read
     * @throws IllegalStateException if the log starts after the snapshot's next index
     */
    @Override
    public Recovered load(SnapshotMeta snapshot) {
        try {
            return writer.call(() -> recover(snapshot));
        } catch (IOException e) {
            throw new UncheckedIOException("loading the log in " + dir + " failed", e);
        }
    }

    private Recovered recover(SnapshotMeta snapshot) throws IOException {
        HardState hardState = writer.durableHardState();
        long base = snapshot == null ? 0 : snapshot.index();
        long first = log.firstIndex();
        long last = log.lastIndex();
        if (base > last || (base >= first && log.entry(base).term() != snapshot.term())) {
            // the snapshot came from a leader and a crash hit before the log was reset after it:
            // what the log holds belongs to another history
            LOG.warn("{}: the log ({}..{}) does not hold snapshot {} at term {}; discarding the log",
                    dir, first, last, base, snapshot.term());
            log.reset(base + 1);
            return new Recovered(hardState, List.of());
        }
        if (base + 1 < first) {
            throw new IllegalStateException(dir + ": the log starts at " + first + " but the snapshot ends at " + base
                    + "; entries " + (base + 1) + ".." + (first - 1) + " are missing");
        }
        log.compact(base); // what a crash kept compaction from deleting
        List<Entry> entries = log.entries(base + 1, last);
        return new Recovered(hardState, entries);
    }

    @Override
    public void write(Batch batch, Consumer<Throwable> done) {
        writer.write(batch, done);
    }

    @Override
    public void compact(long index) {
        writer.compact(index);
    }

    /** How many times a group of queued writes was made durable with one sync; fewer than writes when they queue up. */
    public long groupCommits() {
        return writer.groupCommits();
    }

    /** Finishes every queued write, then stops the writer thread and closes the files. */
    @Override
    public void close() {
        writer.close();
    }
}
