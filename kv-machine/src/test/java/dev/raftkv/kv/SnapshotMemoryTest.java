package dev.raftkv.kv;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Snapshots are streamed, not copied: a machine holding 48 MiB of values snapshots and restores in a
 * 96 MiB heap, where the same work with the whole snapshot collected in a byte array first (the control)
 * runs out of memory. Each run is a JVM of its own ({@link SmallHeapSnapshot}), so the heap limit is real.
 */
class SnapshotMemoryTest {
    private static final int DATA_MIB = 48;
    private static final String HEAP = "-Xmx96m";

    @TempDir
    Path dir;

    private record Run(int exitCode, String output) {
    }

    private Run run(String mode) throws IOException, InterruptedException {
        Path home = dir.resolve(mode);
        java.nio.file.Files.createDirectories(home);
        Process p = new ProcessBuilder(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), HEAP,
                "-cp", System.getProperty("java.class.path"), SmallHeapSnapshot.class.getName(),
                mode, home.toString(), Integer.toString(DATA_MIB)))
                .redirectErrorStream(true).start();
        try {
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS)) throw new AssertionError(mode + " run did not finish");
            return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void aMapNearlyHalfTheHeapSnapshotsAndRestoresBecauseNothingIsCopied() throws Exception {
        Run streamed = run("stream");
        assertThat(streamed.exitCode()).as(streamed.output()).isZero();
        assertThat(streamed.output()).contains("restored " + DATA_MIB * 1024 * 1024 / SmallHeapSnapshot.VALUE_BYTES + " keys");
    }

    @Test
    void controlTheSameWorkWithAWholeCopyInMemoryDoesNotFitThatHeap() throws Exception {
        Run copied = run("copy");
        assertThat(copied.exitCode()).as(copied.output()).isNotZero();
        assertThat(copied.output()).contains("OutOfMemoryError");
    }
}
