package dev.raftkv.raft.server;

import dev.raftkv.raft.log.FileLogStorage;
import dev.raftkv.raft.log.Syncer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * fsyncgate: when the log writer's fsync fails, nothing in that batch is acknowledged and the server
 * stops, rather than retry and carry on with data it cannot vouch for.
 */
class FsyncFailureTest {
    @TempDir
    Path dir;
    private LoneLeader leader;

    @AfterEach
    void close() throws InterruptedException {
        if (leader != null) leader.close();
    }

    @Test
    void aFailedFsyncAcknowledgesNothingOfItsBatchAndStopsTheServer() throws Exception {
        AtomicBoolean failing = new AtomicBoolean();
        Syncer flaky = new Syncer() {
            @Override
            public void force(FileChannel channel) throws IOException {
                if (failing.get()) throw new IOException("injected: fsync failed");
                Syncer.FSYNC.force(channel);
            }

            @Override
            public void syncDirectory(Path d) throws IOException {
                Syncer.FSYNC.syncDirectory(d);
            }
        };
        LoneLeader.RecordingMachine machine = new LoneLeader.RecordingMachine();
        leader = new LoneLeader(dir, FileLogStorage.open(dir, new FileLogStorage.Options(1 << 20, flaky)), machine, null);
        RaftServer server = leader.server;
        assertThat(server.propose("before".getBytes()).get(5, TimeUnit.SECONDS)).isNotNull();

        failing.set(true);
        CompletableFuture<Object> doomed = server.propose("doomed".getBytes());
        assertThat(server.failure().get(10, TimeUnit.SECONDS)).hasMessageContaining("injected");
        assertThatThrownBy(() -> doomed.get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(OutcomeUnknownException.class);
        assertThat(machine.applied).containsExactly("before");
        assertThatThrownBy(() -> server.propose("after".getBytes()).get(5, TimeUnit.SECONDS))
                .hasCauseInstanceOf(NotAppliedException.class);
    }
}
