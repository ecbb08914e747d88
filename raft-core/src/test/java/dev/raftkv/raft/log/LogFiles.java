package dev.raftkv.raft.log;

import dev.raftkv.raft.Entry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/** Helpers for tests that build logs and then damage their files. */
final class LogFiles {
    private LogFiles() {
    }

    static Entry entry(long term, long index, int payloadBytes, long seed) {
        byte[] data = new byte[payloadBytes];
        new Random(seed * 31 + index).nextBytes(data);
        return Entry.normal(term, index, data);
    }

    /** Entries 1..n at term 1 with 20..59-byte payloads, so records differ in length. */
    static List<Entry> entries(int n) {
        return java.util.stream.LongStream.rangeClosed(1, n).mapToObj(i -> entry(1, i, 20 + (int) (i * 7 % 40), 42)).toList();
    }

    static SegmentedLog writeLog(Path dir, List<Entry> entries, long segmentBytes) throws IOException {
        SegmentedLog log = SegmentedLog.open(dir, segmentBytes, TestSyncer.counting());
        for (Entry e : entries) log.append(e);
        log.sync();
        return log;
    }

    static void flipBit(Path file, long offset) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        bytes[(int) offset] ^= 1;
        Files.write(file, bytes);
    }

    static long firstIndexOf(Path segmentFile) {
        return Segment.parseFileName(segmentFile.getFileName().toString());
    }

    static void deleteTree(Path dir) {
        try {
            DirectoryTree.delete(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
