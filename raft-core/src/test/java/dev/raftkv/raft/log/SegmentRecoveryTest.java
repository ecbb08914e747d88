package dev.raftkv.raft.log;

import dev.raftkv.raft.Entry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** What reopening does with the end of the newest segment after a crash: torn tails are cut, nothing before them is lost. */
class SegmentRecoveryTest {
    private static final int N = 30;
    private static final long SEGMENT_BYTES = 1024;

    @TempDir
    Path dir;
    private final List<Entry> written = LogFiles.entries(N);
    private Path newest;
    private byte[] original;

    @BeforeEach
    void writeLog() throws IOException {
        try (SegmentedLog log = LogFiles.writeLog(dir, written, SEGMENT_BYTES)) {
            assertThat(log.segmentFiles()).hasSizeGreaterThan(1);
            newest = log.segmentFiles().get(log.segmentFiles().size() - 1);
        }
        original = Files.readAllBytes(newest);
        assertThat(N - LogFiles.firstIndexOf(newest) + 1).as("records in the newest segment").isGreaterThanOrEqualTo(3);
    }

    @Test
    void aCutAtEveryByteOfTheLastTwoRecordsKeepsEverythingBeforeIt() throws IOException {
        long lastStart = original.length - LogRecord.size(written.get(N - 1));
        long secondLastStart = lastStart - LogRecord.size(written.get(N - 2));
        for (long cut = secondLastStart; cut < original.length; cut++) {
            Files.write(newest, Arrays.copyOf(original, (int) cut));
            long expectedLast = cut < lastStart ? N - 2 : N - 1;
            long expectedSize = cut < lastStart ? secondLastStart : lastStart;
            try (SegmentedLog log = SegmentedLog.open(dir, SEGMENT_BYTES, TestSyncer.counting())) {
                assertThat(log.lastIndex()).as("cut at byte %d", cut).isEqualTo(expectedLast);
                assertThat(log.entries(1, expectedLast)).isEqualTo(written.subList(0, (int) expectedLast));
                assertThat(Files.size(newest)).as("the torn tail is cut away").isEqualTo(expectedSize);
                // and the log goes on from there
                log.append(written.get((int) expectedLast));
                log.sync();
            }
            try (SegmentedLog log = SegmentedLog.open(dir, SEGMENT_BYTES, TestSyncer.counting())) {
                assertThat(log.lastIndex()).isEqualTo(expectedLast + 1);
                assertThat(log.entry(expectedLast + 1)).isEqualTo(written.get((int) expectedLast));
            }
        }
    }

    @Test
    void aZeroFilledTailIsCutAway() throws IOException {
        // what a file system can show after a crash: the size grew but the data blocks never arrived
        Files.write(newest, Arrays.copyOf(original, original.length + 4096));
        try (SegmentedLog log = SegmentedLog.open(dir, SEGMENT_BYTES, TestSyncer.counting())) {
            assertThat(log.lastIndex()).isEqualTo(N);
            assertThat(log.entries(1, N)).isEqualTo(written);
        }
        assertThat(Files.size(newest)).isEqualTo(original.length);
    }

    @Test
    void aZeroedLastRecordIsCutAway() throws IOException {
        int lastStart = original.length - LogRecord.size(written.get(N - 1));
        byte[] damaged = Arrays.copyOf(original, original.length + 100);
        Arrays.fill(damaged, lastStart, damaged.length, (byte) 0);
        Files.write(newest, damaged);
        try (SegmentedLog log = SegmentedLog.open(dir, SEGMENT_BYTES, TestSyncer.counting())) {
            assertThat(log.lastIndex()).isEqualTo(N - 1);
            assertThat(log.entries(1, N - 1)).isEqualTo(written.subList(0, N - 1));
        }
    }

    @Test
    void aLastRecordFailingItsChecksumIsATornTail() throws IOException {
        LogFiles.flipBit(newest, original.length - 3);
        try (SegmentedLog log = SegmentedLog.open(dir, SEGMENT_BYTES, TestSyncer.counting())) {
            assertThat(log.lastIndex()).isEqualTo(N - 1);
        }
    }

    @Test
    void aNewestSegmentWithNothingWholeInItIsEmptiedButKept() throws IOException {
        Files.write(newest, Arrays.copyOf(original, 5));
        long first = LogFiles.firstIndexOf(newest);
        try (SegmentedLog log = SegmentedLog.open(dir, SEGMENT_BYTES, TestSyncer.counting())) {
            assertThat(log.lastIndex()).isEqualTo(first - 1);
            log.append(written.get((int) first - 1));
            assertThat(log.lastIndex()).isEqualTo(first);
        }
    }

    @Test
    void aTruncatedSuffixStaysTruncatedAfterReopen() throws IOException {
        try (SegmentedLog log = SegmentedLog.open(dir, SEGMENT_BYTES, TestSyncer.counting())) {
            log.append(LogFiles.entry(2, 5, 10, 7)); // index 5 held: replaces 5..N
            log.sync();
        }
        try (SegmentedLog log = SegmentedLog.open(dir, SEGMENT_BYTES, TestSyncer.counting())) {
            assertThat(log.lastIndex()).isEqualTo(5);
            assertThat(log.entry(5).term()).isEqualTo(2);
            assertThat(log.entries(1, 4)).isEqualTo(written.subList(0, 4));
            assertThat(log.segmentFiles()).hasSize(1);
        }
    }
}
