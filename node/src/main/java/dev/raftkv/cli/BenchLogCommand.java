package dev.raftkv.cli;

import dev.raftkv.raft.Entry;
import dev.raftkv.raft.log.DirectoryTree;
import dev.raftkv.raft.log.FileLogStorage;
import dev.raftkv.raft.server.LogStorage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;

/**
 * {@code raftkv bench-log}: how fast the segmented log appends with fsync on, per batch size. Each
 * batch is written and waited for before the next, so every batch costs one fsync: the numbers show
 * what group commit buys.
 */
@Command(name = "bench-log", mixinStandardHelpOptions = true,
        description = "Appends entries to a fresh log on disk in batches of each size, fsync on, and prints entries/s, MB/s and fsyncs/s.")
public final class BenchLogCommand implements Callable<Integer> {
    @Option(names = "--dir", description = "Where to write (a temporary directory inside it is deleted afterwards; default: the system temp dir).")
    Path dir;

    @Option(names = "--batches", split = ",", defaultValue = "1,16,256", description = "Batch sizes (default ${DEFAULT-VALUE}).")
    List<Integer> batches;

    @Option(names = "--entry-size", defaultValue = "100", description = "Payload bytes per entry (default ${DEFAULT-VALUE}).")
    int entrySize;

    @Option(names = "--seconds", defaultValue = "5", description = "How long to run each batch size (default ${DEFAULT-VALUE}).")
    double seconds;

    @Override
    public Integer call() throws Exception {
        if (entrySize < 0 || seconds <= 0 || batches.stream().anyMatch(b -> b < 1)) {
            throw new IllegalArgumentException("--entry-size >= 0, --seconds > 0 and batch sizes >= 1, please");
        }
        Path base = Files.createTempDirectory(dir == null ? Path.of(System.getProperty("java.io.tmpdir")) : dir, "raftkv-bench-log");
        System.out.printf("bench-log: %d-byte entries, fsync on, %.0f s per batch size, in %s%n", entrySize, seconds, base);
        System.out.printf("%8s %14s %10s %12s%n", "batch", "entries/s", "MB/s", "fsyncs/s");
        try {
            for (int batch : batches) run(base.resolve("batch-" + batch), batch);
        } finally {
            DirectoryTree.delete(base);
        }
        return 0;
    }

    private void run(Path where, int batch) throws Exception {
        byte[] payload = new byte[entrySize];
        try (FileLogStorage log = FileLogStorage.open(where)) {
            log.load(null);
            long index = 0;
            long start = System.nanoTime();
            long deadline = start + (long) (seconds * 1e9);
            long syncsBefore = log.groupCommits();
            while (System.nanoTime() < deadline) {
                List<Entry> entries = new ArrayList<>(batch);
                for (int i = 0; i < batch; i++) entries.add(Entry.normal(1, ++index, payload));
                CompletableFuture<Void> done = new CompletableFuture<>();
                log.write(new LogStorage.Batch(null, null, entries), e -> {
                    if (e == null) done.complete(null);
                    else done.completeExceptionally(e);
                });
                done.get();
            }
            double secs = (System.nanoTime() - start) / 1e9;
            long syncs = log.groupCommits() - syncsBefore;
            System.out.printf("%8d %14.0f %10.2f %12.0f%n", batch, index / secs, index * (double) entrySize / secs / 1e6, syncs / secs);
        }
    }
}
