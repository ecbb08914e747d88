package dev.raftkv.raft.server;

import dev.raftkv.raft.ClusterConfig;
import dev.raftkv.raft.Message;
import dev.raftkv.raft.RaftConfig;
import dev.raftkv.raft.Role;
import dev.raftkv.raft.SnapshotMeta;
import dev.raftkv.raft.log.FileLogStorage;
import dev.raftkv.raft.snapshot.InMemorySnapshotStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The core names the snapshot it last heard of; the server sends the store's newest instead, under that one's
 * meta (RaftServer.sendNewestSnapshot). Here the store holds a snapshot the core never heard of, as it does
 * between the apply thread's commit and onSnapshotTaken reaching the loop.
 */
class NewestSnapshotSentTest {
    private static final ClusterConfig MEMBERS = new ClusterConfig(Set.of("n1"), Set.of("n2"));

    private record Sent(Message.InstallSnapshot message, Snapshot snapshot) {
    }

    @TempDir
    Path dir;
    private final List<Message> messages = new CopyOnWriteArrayList<>();
    private final List<Sent> snapshotsSent = new CopyOnWriteArrayList<>();
    private final ExecutorEventLoop loop = new ExecutorEventLoop("raft-test", e -> { });
    private final ExecutorService apply = Executors.newSingleThreadExecutor();
    private FileLogStorage storage;

    @AfterEach
    void close() throws Exception {
        loop.close();
        apply.shutdownNow();
        if (storage != null) storage.close();
    }

    @Test
    void aFollowerBehindTheLogIsSentTheStoresNewestSnapshotWithItsOwnMeta() throws Exception {
        InMemorySnapshotStore store = new InMemorySnapshotStore();
        store.create(new SnapshotMeta(5, 1, MEMBERS)).commit();
        storage = FileLogStorage.open(dir);
        RaftServer server = new RaftServer(
                new RaftServer.Options(new RaftConfig("n1", 5, 1, 8, 64, Set.of()), MEMBERS, 5, 0, 0),
                new LoneLeader.RecordingMachine(), storage, store, new Transport() {
                    @Override
                    public void send(Message message) {
                        messages.add(message);
                    }

                    @Override
                    public void sendSnapshot(Message.InstallSnapshot message, Snapshot snapshot) {
                        snapshotsSent.add(new Sent(message, snapshot));
                    }
                }, loop, apply, new Random(1));
        server.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> server.status().get().role() == Role.LEADER);
        long term = server.status().get().term();
        // the learner is probed at the end of the log, which starts after the snapshot at 5
        Message.AppendEntries probe = (Message.AppendEntries) await().atMost(Duration.ofSeconds(10))
                .until(() -> messages.stream().filter(m -> m instanceof Message.AppendEntries).findFirst().orElse(null),
                        m -> m != null);

        SnapshotMeta unheardOf = new SnapshotMeta(6, term, MEMBERS);
        store.create(unheardOf).commit();
        // the learner's log is empty: it rejects the probe and says so, and the leader must send a snapshot
        server.receive(new Message.AppendResponse("n2", "n1", term, false, probe.prevLogIndex(), 1));

        await().atMost(Duration.ofSeconds(10)).until(() -> !snapshotsSent.isEmpty());
        Sent sent = snapshotsSent.get(0);
        assertThat(sent.snapshot().meta()).isEqualTo(unheardOf);
        assertThat(sent.message().meta()).as("the meta travels with the bytes it describes").isEqualTo(unheardOf);
        assertThat(sent.message().to()).isEqualTo("n2");
    }
}
