package dev.raftkv.transport;

import dev.raftkv.raft.Message;
import dev.raftkv.raft.server.Snapshot;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** An inbound sink that keeps everything it is given, for assertions from the test thread. */
final class RecordingSink implements InboundSink {
    record ReceivedSnapshot(Message.InstallSnapshot message, Snapshot snapshot) {
    }

    final List<Message> messages = new CopyOnWriteArrayList<>();
    final List<ReceivedSnapshot> snapshots = new CopyOnWriteArrayList<>();

    @Override
    public void receive(Message message) {
        messages.add(message);
    }

    @Override
    public void receiveSnapshot(Message.InstallSnapshot message, Snapshot snapshot) {
        snapshots.add(new ReceivedSnapshot(message, snapshot));
    }

    void clear() {
        messages.clear();
        snapshots.clear();
    }
}
