package dev.raftkv.raft.log;

import dev.raftkv.raft.Entry;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * The log's entries in a directory of segment files (see {@link Segment} and {@link LogRecord}).
 * Appends go to the newest segment; when it would grow past the size limit a new one is started.
 * Not thread-safe: one thread (the log writer) owns it.
 *
 * <p>Every change is ordered so that whatever a crash leaves on disk is still a contiguous log that
 * recovery accepts: a finished segment is forced before its successor exists; files are deleted one
 * at a time with the directory fsynced after each, newest first when a suffix goes (truncation,
 * reset) and oldest first when a prefix goes (compaction); a truncated file is forced before
 * anything is appended after the cut.
 */
public final class SegmentedLog implements Closeable {
    public static final long DEFAULT_SEGMENT_BYTES = 64L << 20;
    /** Where a new log, one with no segment file yet, starts. */
    private static final long NEW_LOG_START = 1;

    private final Path dir;
    private final long maxSegmentBytes;
    private final Syncer syncer;
    /** Oldest first; the last one is the one appended to. */
    private final ArrayList<Segment> segments;
    /** Whether the newest segment holds writes not yet forced. */
    private boolean dirty;

    private SegmentedLog(Path dir, long maxSegmentBytes, Syncer syncer, ArrayList<Segment> segments) {
        this.dir = dir;
        this.maxSegmentBytes = maxSegmentBytes;
        this.syncer = syncer;
        this.segments = segments;
    }

    /**
     * Opens (creating if needed) the log in {@code dir}, scanning every segment.
     *
     * @throws CorruptLogException if a segment is damaged beyond a torn tail, or indexes have a gap
     */
    public static SegmentedLog open(Path dir, long maxSegmentBytes, Syncer syncer) throws IOException {
        if (maxSegmentBytes < LogRecord.MIN_RECORD_BYTES) throw new IllegalArgumentException("segment size " + maxSegmentBytes);
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir);
            syncer.syncDirectory(dir.toAbsolutePath().getParent());
        }
        TreeMap<Long, Path> files = new TreeMap<>();
        try (DirectoryStream<Path> listing = Files.newDirectoryStream(dir)) {
            for (Path p : listing) {
                long first = Segment.parseFileName(p.getFileName().toString());
                if (first >= 0) files.put(first, p);
            }
        }
        ArrayList<Segment> segments = new ArrayList<>();
        try {
            for (var f : files.entrySet()) {
                boolean newest = f.getKey().equals(files.lastKey());
                Segment s = Segment.recover(f.getValue(), f.getKey(), newest, syncer);
                segments.add(s);
                if (segments.size() > 1) checkContiguous(segments.get(segments.size() - 2), s);
            }
        } catch (IOException | RuntimeException e) {
            for (Segment s : segments) closeQuietly(s, e);
            throw e;
        }
        return new SegmentedLog(dir, maxSegmentBytes, syncer, segments);
    }

    private static void checkContiguous(Segment previous, Segment next) throws CorruptLogException {
        if (next.firstIndex != previous.lastIndex() + 1) {
            throw new CorruptLogException(previous.file, previous.size(), "the segment ends at index " + previous.lastIndex()
                    + " but the next one, " + next.file.getFileName() + ", starts at " + next.firstIndex + ": a gap");
        }
    }

    /** The first index held; if the log is empty, the index the next entry must have. */
    public long firstIndex() {
        return segments.isEmpty() ? NEW_LOG_START : segments.get(0).firstIndex;
    }

    /** The last index held, or {@code firstIndex() - 1} if the log is empty. */
    public long lastIndex() {
        return segments.isEmpty() ? NEW_LOG_START - 1 : newest().lastIndex();
    }

    /**
     * Appends {@code e}, which must hold an index from {@code firstIndex()} to {@code lastIndex() + 1}.
     * An index the log already holds replaces that entry and every one after it. Durable after {@link #sync}.
     */
    public void append(Entry e) throws IOException {
        if (e.index() < firstIndex() || e.index() > lastIndex() + 1) {
            throw new IllegalArgumentException("cannot append " + e + " to a log holding " + firstIndex() + ".." + lastIndex());
        }
        if (e.index() <= lastIndex()) truncateFrom(e.index());
        Segment current = segments.isEmpty() ? null : newest();
        if (current == null) {
            current = startSegment(e.index());
        } else if (current.count() > 0 && current.size() + LogRecord.size(e) > maxSegmentBytes) {
            // the finished segment must be durable before its successor exists, or a crash could
            // leave an older segment with a torn end, which recovery has to call corruption
            current.force(syncer);
            current = startSegment(e.index());
        }
        current.append(e);
        dirty = true;
    }

    public Entry entry(long index) throws IOException {
        return segmentHolding(index).read(index);
    }

    /** Entries {@code from..to}, both inclusive. */
    public List<Entry> entries(long from, long to) throws IOException {
        List<Entry> out = new ArrayList<>((int) Math.max(0, Math.min(to - from + 1, 1 << 16)));
        for (long i = from; i <= to; i++) out.add(entry(i));
        return out;
    }

    /** Makes every append so far durable: one force of the newest segment, if it changed. */
    public void sync() throws IOException {
        if (!dirty) return;
        newest().force(syncer);
        dirty = false;
    }

    /**
     * Deletes whole segments whose last index is at most {@code index} (covered by a snapshot); the
     * segment holding {@code index + 1}, and the newest segment, are always kept.
     */
    public void compact(long index) throws IOException {
        while (segments.size() > 1 && segments.get(0).lastIndex() <= index) {
            deleteSegment(segments.remove(0));
        }
    }

    /** Discards every entry; the log restarts empty, its next entry at {@code nextIndex} (after an installed snapshot). */
    public void reset(long nextIndex) throws IOException {
        if (nextIndex < 1) throw new IllegalArgumentException("next index " + nextIndex);
        while (!segments.isEmpty()) deleteSegment(segments.remove(segments.size() - 1));
        dirty = false;
        // an empty segment remembers where the log restarts, so a reopened log still knows it
        startSegment(nextIndex);
    }

    /** The segment files, oldest first (for tests and tooling). */
    public List<Path> segmentFiles() {
        return segments.stream().map(s -> s.file).toList();
    }

    public Path directory() {
        return dir;
    }

    @Override
    public void close() throws IOException {
        IOException first = null;
        for (Segment s : segments) {
            try {
                s.close();
            } catch (IOException e) {
                if (first == null) first = e;
            }
        }
        if (first != null) throw first;
    }

    private void truncateFrom(long index) throws IOException {
        // newest first, so that a crash part-way leaves a prefix of the old log, never a gap
        while (newest().firstIndex > index) deleteSegment(segments.remove(segments.size() - 1));
        Segment holder = newest();
        holder.truncateFrom(index);
        // without this, a crash could keep the appends after the cut but lose the cut itself,
        // leaving old records behind the new ones
        holder.force(syncer);
        dirty = false;
    }

    private Segment startSegment(long firstIndex) throws IOException {
        Segment s = Segment.create(dir, firstIndex);
        segments.add(s);
        syncer.syncDirectory(dir);
        return s;
    }

    private void deleteSegment(Segment s) throws IOException {
        s.delete();
        syncer.syncDirectory(dir);
    }

    private Segment newest() {
        return segments.get(segments.size() - 1);
    }

    private Segment segmentHolding(long index) {
        int lo = 0;
        int hi = segments.size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            Segment s = segments.get(mid);
            if (index < s.firstIndex) hi = mid - 1;
            else if (index > s.lastIndex()) lo = mid + 1;
            else return s;
        }
        throw new IllegalArgumentException("index " + index + " is not in the log " + firstIndex() + ".." + lastIndex());
    }

    private static void closeQuietly(Segment s, Exception cause) {
        try {
            s.close();
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
    }
}
