package dev.raftkv.raft.log;

import dev.raftkv.raft.Entry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Damage a crash cannot explain is refused, with the file and byte offset named, never cut away. */
class CorruptLogTest {
    private static final int N = 30;
    private static final long SEGMENT_BYTES = 1024;

    @TempDir
    Path dir;
    private final List<Entry> written = LogFiles.entries(N);

    @Test
    void aFlippedBitAnywhereInARecordFollowedByValidOnesIsCorruption() throws IOException {
        List<Path> segments = writeAndGetSegments();
        Path newest = segments.get(segments.size() - 1);
        byte[] original = Files.readAllBytes(newest);
        // the third-last record: two intact records follow it
        long start = original.length;
        for (int i = N - 1; i >= N - 3; i--) start -= LogRecord.size(written.get(i));
        int size = LogRecord.size(written.get(N - 3));
        for (long at = start; at < start + size; at++) {
            Files.write(newest, original);
            LogFiles.flipBit(newest, at);
            long offset = start;
            assertThatThrownBy(() -> SegmentedLog.open(dir, SEGMENT_BYTES, TestSyncer.counting()))
                    .as("bit flipped at byte %d", at)
                    .isInstanceOfSatisfying(CorruptLogException.class, e -> {
                        assertThat(e.file()).isEqualTo(newest);
                        assertThat(e.offset()).isEqualTo(offset);
                        assertThat(e.getMessage()).contains(newest.toString(), "byte " + offset);
                    });
        }
        assertThat(original).as("nothing was cut from the file").hasSize((int) Files.size(newest));
    }

    @Test
    void aBadLastRecordOfAnOlderSegmentIsCorruption() throws IOException {
        List<Path> segments = writeAndGetSegments();
        Path older = segments.get(0);
        long olderLast = LogFiles.firstIndexOf(segments.get(1)) - 1;
        long lastStart = Files.size(older) - LogRecord.size(written.get((int) olderLast - 1));
        LogFiles.flipBit(older, Files.size(older) - 1);
        assertThatThrownBy(() -> SegmentedLog.open(dir, SEGMENT_BYTES, TestSyncer.counting()))
                .isInstanceOfSatisfying(CorruptLogException.class, e -> {
                    assertThat(e.file()).isEqualTo(older);
                    assertThat(e.offset()).isEqualTo(lastStart);
                    assertThat(e.getMessage()).contains(older.toString(), "byte " + lastStart, "not the newest");
                });
    }

    @Test
    void aShortOlderSegmentIsCorruptionNotATornTail() throws IOException {
        Path older = writeAndGetSegments().get(0);
        long size = Files.size(older);
        try (var ch = java.nio.channels.FileChannel.open(older, java.nio.file.StandardOpenOption.WRITE)) {
            ch.truncate(size - 3);
        }
        assertThatThrownBy(() -> SegmentedLog.open(dir, SEGMENT_BYTES, TestSyncer.counting()))
                .isInstanceOfSatisfying(CorruptLogException.class, e -> assertThat(e.file()).isEqualTo(older));
    }

    @Test
    void aMissingMiddleSegmentIsAGap() throws IOException {
        List<Path> segments;
        try (SegmentedLog log = LogFiles.writeLog(dir, written, 400)) {
            segments = log.segmentFiles();
        }
        assertThat(segments).hasSizeGreaterThanOrEqualTo(3);
        long endOfFirst = Files.size(segments.get(0));
        Files.delete(segments.get(1));
        assertThatThrownBy(() -> SegmentedLog.open(dir, SEGMENT_BYTES, TestSyncer.counting()))
                .isInstanceOfSatisfying(CorruptLogException.class, e -> {
                    assertThat(e.file()).isEqualTo(segments.get(0));
                    assertThat(e.offset()).isEqualTo(endOfFirst);
                    assertThat(e.getMessage()).contains("gap", segments.get(2).getFileName().toString());
                });
    }

    @Test
    void anIndexOutOfSequenceInsideASegmentIsCorruption() throws IOException {
        Path file = dir.resolve(Segment.fileName(1));
        long offsetOfFour = 0;
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long i : new long[]{1, 2, 4}) {
                Entry e = LogFiles.entry(1, i, 10, 1);
                if (i == 4) offsetOfFour = Files.size(file);
                out.write(LogRecord.encode(e).array());
                out.flush();
            }
        }
        long expectedOffset = offsetOfFour;
        assertThatThrownBy(() -> SegmentedLog.open(dir, SEGMENT_BYTES, TestSyncer.counting()))
                .isInstanceOfSatisfying(CorruptLogException.class, e -> {
                    assertThat(e.offset()).isEqualTo(expectedOffset);
                    assertThat(e.getMessage()).contains("expected index 3");
                });
    }

    @Test
    void aSegmentWhoseFirstRecordDoesNotMatchItsNameIsCorruption() throws IOException {
        Files.write(dir.resolve(Segment.fileName(5)), LogRecord.encode(LogFiles.entry(1, 1, 10, 1)).array());
        assertThatThrownBy(() -> SegmentedLog.open(dir, SEGMENT_BYTES, TestSyncer.counting()))
                .isInstanceOf(CorruptLogException.class)
                .hasMessageContaining("expected index 5");
    }

    @Test
    void aRecordDamagedAfterOpeningIsReportedWhenRead() throws IOException {
        List<Path> segments = writeAndGetSegments();
        try (SegmentedLog log = SegmentedLog.open(dir, SEGMENT_BYTES, TestSyncer.counting())) {
            LogFiles.flipBit(segments.get(0), 30);
            assertThatThrownBy(() -> log.entry(1)).isInstanceOf(CorruptLogException.class);
        }
    }

    private List<Path> writeAndGetSegments() throws IOException {
        try (SegmentedLog log = LogFiles.writeLog(dir, written, SEGMENT_BYTES)) {
            return log.segmentFiles();
        }
    }
}
