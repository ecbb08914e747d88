package dev.raftkv.transport;

import dev.raftkv.raft.Message;
import dev.raftkv.raft.server.Snapshot;
import dev.raftkv.raft.server.SnapshotWriter;
import dev.raftkv.raft.snapshot.InMemorySnapshotStore;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** An inbound sink that keeps everything it is given, for assertions from the test thread. Snapshots go to an in-memory store. */
final class RecordingSink implements InboundSink {
    record ReceivedSnapshot(Message.InstallSnapshot message, Snapshot snapshot) {
        byte[] data() {
            return bytes(snapshot);
        }
    }

    final List<Message> messages = new CopyOnWriteArrayList<>();
    final List<ReceivedSnapshot> snapshots = new CopyOnWriteArrayList<>();
    private final InMemorySnapshotStore store = new InMemorySnapshotStore();

    @Override
    public void receive(Message message) {
        messages.add(message);
    }

    @Override
    public SnapshotWriter snapshotWriter(Message.InstallSnapshot message) {
        return store.create(message.meta());
    }

    @Override
    public void receiveSnapshot(Message.InstallSnapshot message, SnapshotWriter received) {
        try (received) {
            snapshots.add(new ReceivedSnapshot(message, received.commit()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void clear() {
        messages.clear();
        snapshots.clear();
    }

    /** Every file's bytes, one after another. */
    static byte[] bytes(Snapshot s) {
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        for (dev.raftkv.raft.server.SnapshotFile f : s.files()) {
            try (InputStream in = s.open(f.name())) {
                in.transferTo(all);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return all.toByteArray();
    }
}
