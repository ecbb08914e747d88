package dev.raftkv.raft.server;

import dev.raftkv.raft.ClusterConfig;
import dev.raftkv.raft.RaftConfig;
import dev.raftkv.raft.Role;
import dev.raftkv.raft.log.FileLogStorage;
import dev.raftkv.raft.snapshot.FileSnapshotStore;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * A RaftServer that leads a cluster of itself, on a real log and snapshot store in a directory, with a
 * transport that sends nowhere and the apply executor RaftkvNode uses (a thread that dies is silently
 * replaced): what the fail-stop tests need to make a failure happen under it.
 */
final class LoneLeader implements AutoCloseable {
    /** Records applied commands as text; enough of a state machine to see what was acknowledged. */
    static class RecordingMachine implements StateMachine {
        final List<String> applied = new CopyOnWriteArrayList<>();

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

    private final FileLogStorage storage;
    private final ExecutorEventLoop loop = new ExecutorEventLoop("raft-test", e -> { });
    private final ExecutorService apply = Executors.newSingleThreadExecutor();
    final RaftServer server;

    /** Starts on {@code storage} (opened on {@code dir}) and waits until it leads; {@code handler} may be null. */
    LoneLeader(Path dir, FileLogStorage storage, StateMachine machine, FatalErrorHandler handler) throws Exception {
        this.storage = storage;
        server = new RaftServer(
                new RaftServer.Options(new RaftConfig("n1", 5, 1, 8, 64, Set.of()), ClusterConfig.ofVoters("n1"), 5, 0, 0),
                machine, storage, FileSnapshotStore.open(dir), new Transport() {
                    @Override
                    public void send(dev.raftkv.raft.Message message) {
                    }

                    @Override
                    public void sendSnapshot(dev.raftkv.raft.Message.InstallSnapshot message, Snapshot snapshot) {
                    }
                }, loop, apply, new Random(1));
        if (handler != null) server.onFatalError(handler);
        server.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> server.status().get().role() == Role.LEADER);
    }

    @Override
    public void close() throws InterruptedException {
        loop.close();
        apply.shutdownNow();
        apply.awaitTermination(5, TimeUnit.SECONDS);
        storage.close();
    }
}
