package dev.raftkv.raft.log;

import dev.raftkv.raft.Entry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static java.nio.file.StandardOpenOption.CREATE_NEW;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;

/**
 * One segment file: a run of consecutive entries, named by the first index it holds
 * ({@code 00000000000000000001.seg}), with an in-memory offset per record for random reads.
 * Only the newest segment of a log is appended to. Not thread-safe: the log writer owns it.
 */
final class Segment implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(Segment.class);
    private static final String SUFFIX = ".seg";

    final Path file;
    final long firstIndex;
    private final FileChannel channel;
    private long[] offsets;
    private int count;
    private long size;

    private Segment(Path file, long firstIndex, FileChannel channel, long[] offsets, int count, long size) {
        this.file = file;
        this.firstIndex = firstIndex;
        this.channel = channel;
        this.offsets = offsets;
        this.count = count;
        this.size = size;
    }

    static String fileName(long firstIndex) {
        return String.format("%020d%s", firstIndex, SUFFIX);
    }

    /** The first index a segment file name stands for, or -1 if the name is not a segment's. */
    static long parseFileName(String name) {
        if (name.length() != 20 + SUFFIX.length() || !name.endsWith(SUFFIX)) return -1;
        for (int i = 0; i < 20; i++) {
            if (!Character.isDigit(name.charAt(i))) return -1;
        }
        return Long.parseLong(name.substring(0, 20));
    }

    /** Creates an empty segment; the caller makes its directory entry durable. */
    static Segment create(Path dir, long firstIndex) throws IOException {
        Path file = dir.resolve(fileName(firstIndex));
        return new Segment(file, firstIndex, FileChannel.open(file, CREATE_NEW, READ, WRITE), new long[64], 0, 0);
    }

    /**
     * Opens an existing segment, scanning it (see {@link SegmentScanner}). A torn tail of the newest
     * segment is cut off, and the cut is made durable before anything can be appended after it.
     */
    static Segment recover(Path file, long firstIndex, boolean newest, Syncer syncer) throws IOException {
        FileChannel channel = FileChannel.open(file, READ, WRITE);
        try {
            SegmentScanner.Result scan = SegmentScanner.scan(file, channel, firstIndex, newest);
            if (scan.tornTail() != null) {
                LOG.warn("{}: cutting a torn tail of {} bytes at byte {} ({}); it was never acknowledged",
                        file, channel.size() - scan.validEnd(), scan.validEnd(), scan.tornTail());
                channel.truncate(scan.validEnd());
                syncer.force(channel);
            }
            return new Segment(file, firstIndex, channel, scan.offsets(), scan.count(), scan.validEnd());
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    int count() {
        return count;
    }

    /** Bytes in the file. */
    long size() {
        return size;
    }

    /** The last index held, or {@code firstIndex - 1} if the segment is empty. */
    long lastIndex() {
        return firstIndex + count - 1;
    }

    boolean holds(long index) {
        return index >= firstIndex && index <= lastIndex();
    }

    /** Appends {@code e}, which must hold the next index; durable only after {@link #force}. */
    void append(Entry e) throws IOException {
        if (e.index() != firstIndex + count) {
            throw new IllegalArgumentException(file + " expects index " + (firstIndex + count) + ", got " + e);
        }
        ByteBuffer record = LogRecord.encode(e);
        long pos = size;
        while (record.hasRemaining()) pos += channel.write(record, pos);
        if (count == offsets.length) offsets = Arrays.copyOf(offsets, count * 2);
        offsets[count++] = size;
        size = pos;
    }

    Entry read(long index) throws IOException {
        if (!holds(index)) throw new IllegalArgumentException(file + " does not hold index " + index);
        long offset = offsets[(int) (index - firstIndex)];
        ByteBuffer header = readFully(offset, LogRecord.HEADER_BYTES);
        int length = header.getInt();
        int crc = header.getInt();
        if (length < LogRecord.FIXED_BODY_BYTES || length > size - offset - LogRecord.HEADER_BYTES) {
            throw new CorruptLogException(file, offset, "record for index " + index + " now claims length " + length);
        }
        ByteBuffer body = readFully(offset + LogRecord.HEADER_BYTES, length);
        Entry e = LogRecord.decodeBody(body.array(), 0, length, crc);
        // the record was intact when the log was opened; if it is not now, the disk changed it since
        if (e == null || e.index() != index) throw new CorruptLogException(file, offset, "record for index " + index + " no longer intact");
        return e;
    }

    /** Drops the record at {@code index} and every one after it. The caller forces the file before appending. */
    void truncateFrom(long index) throws IOException {
        if (index < firstIndex || index > lastIndex() + 1) {
            throw new IllegalArgumentException(file + " cannot be truncated at index " + index);
        }
        if (index > lastIndex()) return;
        long cut = offsets[(int) (index - firstIndex)];
        channel.truncate(cut);
        count = (int) (index - firstIndex);
        size = cut;
    }

    void force(Syncer syncer) throws IOException {
        syncer.force(channel);
    }

    /** Closes and deletes the file; the caller makes the deletion durable. */
    void delete() throws IOException {
        close();
        Files.delete(file);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    private ByteBuffer readFully(long pos, int n) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(n);
        while (buf.hasRemaining()) {
            if (channel.read(buf, pos + buf.position()) < 0) throw new EOFException(file + " ends before byte " + (pos + n));
        }
        return buf.flip();
    }

    @Override
    public String toString() {
        return file.getFileName() + "[" + firstIndex + ".." + lastIndex() + ", " + size + "B]";
    }
}
