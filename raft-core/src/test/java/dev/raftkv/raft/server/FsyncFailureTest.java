package dev.raftkv.raft.server;

import dev.raftkv.raft.ClusterConfig;
import dev.raftkv.raft.RaftConfig;
import dev.raftkv.raft.Role;
import dev.raftkv.raft.log.FileLogStorage;
import dev.raftkv.raft.log.Syncer;
import dev.raftkv.raft.snapshot.FileSnapshotStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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
    /** Counts applied commands; enough of a state machine to see what was acknowledged. */
    private static final class Recorder implements StateMachine {
        final List<String> applied = new ArrayList<>();

        @Override
        public Object apply(long index, byte[] command) {
            applied.add(new String(command));
            return index;
        }

        @Override
        public Object query(byte[] query) {
            return applied.size();
        }

        @Override
        public void snapshot(SnapshotWriter writer) {
        }

        @Override
        public void restore(Snapshot snapshot) {
        }
    }

    @TempDir
    Path dir;
    private ExecutorEventLoop loop;
    private ExecutorService apply;
    private FileLogStorage storage;

    @AfterEach
    void close() throws InterruptedException {
        loop.close();
        apply.shutdownNow();
        apply.awaitTermination(5, TimeUnit.SECONDS);
        storage.close();
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
        storage = FileLogStorage.open(dir, new FileLogStorage.Options(1 << 20, flaky));
        loop = new ExecutorEventLoop("raft-test", e -> { });
        apply = Executors.newSingleThreadExecutor();
        Recorder machine = new Recorder();
        RaftServer server = new RaftServer(
                new RaftServer.Options(new RaftConfig("n1", 5, 1, 8, 64, Set.of()), ClusterConfig.ofVoters("n1"), 5, 0, 0),
                machine, storage, FileSnapshotStore.open(dir), new Transport() {
                    @Override
                    public void send(dev.raftkv.raft.Message message) {
                    }

                    @Override
                    public void sendSnapshot(dev.raftkv.raft.Message.InstallSnapshot message, Snapshot snapshot) {
                    }
                }, loop, apply, new Random(1));
        server.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> server.status().get().role() == Role.LEADER);
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
