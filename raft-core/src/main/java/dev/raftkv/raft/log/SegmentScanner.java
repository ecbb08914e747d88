package dev.raftkv.raft.log;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Arrays;

import static dev.raftkv.raft.log.LogRecord.FIXED_BODY_BYTES;
import static dev.raftkv.raft.log.LogRecord.HEADER_BYTES;
import static dev.raftkv.raft.log.LogRecord.MIN_RECORD_BYTES;

/**
 * Reads one segment file front to back when the log is opened: rebuilds its offset index and tells
 * a torn tail apart from corruption.
 *
 * <p>A torn tail is what a crash in the middle of an append leaves at the end of the newest segment:
 * a short record, a zeroed region, a record whose CRC fails — with nothing intact after it. Such a
 * record was never fsynced, so never acknowledged, and it is cut away. Anything else that fails —
 * a bad record followed by an intact one, any bad record in an older segment, an index out of
 * sequence — is corruption: dropping it could drop acknowledged entries (Protocol-Aware Recovery,
 * FAST'18), so the scan throws instead.
 */
final class SegmentScanner {
    /** Records are read through a window this big, so a scan costs few system calls. */
    private static final int WINDOW_BYTES = 1 << 20;

    /**
     * What the scan found.
     *
     * @param offsets  byte offset of each intact record; record {@code i} holds index {@code firstIndex + i}
     * @param count    how many of {@code offsets} are used
     * @param validEnd where the last intact record ends
     * @param tornTail why the bytes from {@code validEnd} on are a torn tail, or null if the file ends cleanly
     */
    record Result(long[] offsets, int count, long validEnd, String tornTail) {
    }

    private final Path file;
    private final FileChannel channel;
    private final long size;
    private byte[] window = new byte[0];
    private long windowStart;
    private int windowLength;
    /** Set by {@link #problemAt} when the record there is intact. */
    private int foundLength;
    private long foundIndex;

    private SegmentScanner(Path file, FileChannel channel) throws IOException {
        this.file = file;
        this.channel = channel;
        this.size = channel.size();
    }

    /**
     * @param newest whether this is the newest segment, the only one that may end in a torn tail
     * @throws CorruptLogException naming the file and the offset of the first bad byte
     */
    static Result scan(Path file, FileChannel channel, long firstIndex, boolean newest) throws IOException {
        return new SegmentScanner(file, channel).scan(firstIndex, newest);
    }

    private Result scan(long firstIndex, boolean newest) throws IOException {
        long[] offsets = new long[64];
        int count = 0;
        long pos = 0;
        while (pos < size) {
            String problem = problemAt(pos);
            if (problem != null) {
                if (!newest) throw new CorruptLogException(file, pos, problem + " in a segment that is not the newest");
                long next = findIntactRecordAfter(pos);
                if (next >= 0) throw new CorruptLogException(file, pos, problem + ", yet an intact record follows at byte " + next);
                return new Result(offsets, count, pos, problem);
            }
            long expected = firstIndex + count;
            if (foundIndex != expected) {
                throw new CorruptLogException(file, pos, "expected index " + expected + " but the record holds " + foundIndex);
            }
            if (count == offsets.length) offsets = Arrays.copyOf(offsets, count * 2);
            offsets[count++] = pos;
            pos += HEADER_BYTES + foundLength;
        }
        return new Result(offsets, count, pos, null);
    }

    /** Why the record at {@code pos} is not whole and intact, or null if it is. */
    private String problemAt(long pos) throws IOException {
        long left = size - pos;
        if (left < HEADER_BYTES) return "a record header cut short (" + left + " bytes left)";
        int at = load(pos, HEADER_BYTES);
        ByteBuffer header = ByteBuffer.wrap(window, at, HEADER_BYTES);
        int length = header.getInt();
        int crc = header.getInt();
        if (length < FIXED_BODY_BYTES) return "impossible record length " + length;
        if (length > left - HEADER_BYTES) return "a record of " + length + " bytes runs past the end of the file";
        at = load(pos + HEADER_BYTES, length);
        if (!LogRecord.bodyIntact(window, at, length, crc)) return "a record that fails its checksum";
        foundLength = length;
        foundIndex = LogRecord.indexOf(window, at);
        return null;
    }

    /**
     * The offset of the first intact record that starts after {@code bad}, or -1. Every byte offset is
     * tried, because the bad record's own length field cannot be trusted. (A payload that itself
     * contains a well-framed record would be found too and reported as corruption: the safe mistake.)
     */
    private long findIntactRecordAfter(long bad) throws IOException {
        for (long p = bad + 1; p + MIN_RECORD_BYTES <= size; p++) {
            int at = load(p, HEADER_BYTES);
            int length = ByteBuffer.wrap(window, at, 4).getInt();
            // cheap filter first: most positions cannot even hold a record of the length they claim
            if (length < FIXED_BODY_BYTES || length > size - p - HEADER_BYTES) continue;
            if (problemAt(p) == null) return p;
        }
        return -1;
    }

    /** Makes {@code [pos, pos + n)} readable in {@link #window} (n must not reach past the end); returns where it starts there. */
    private int load(long pos, int n) throws IOException {
        if (pos >= windowStart && pos + n <= windowStart + windowLength) return (int) (pos - windowStart);
        int want = (int) Math.min(Math.max(n, WINDOW_BYTES), size - pos);
        if (window.length < want) window = new byte[want];
        ByteBuffer target = ByteBuffer.wrap(window, 0, want);
        while (target.hasRemaining()) {
            if (channel.read(target, pos + target.position()) < 0) throw new EOFException(file + " shrank while it was read");
        }
        windowStart = pos;
        windowLength = want;
        return 0;
    }
}
