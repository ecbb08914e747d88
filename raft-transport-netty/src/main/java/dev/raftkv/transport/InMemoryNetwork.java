package dev.raftkv.transport;

import dev.raftkv.raft.Message;
import dev.raftkv.raft.server.Snapshot;
import dev.raftkv.raft.server.SnapshotWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A network inside one JVM, for tests that want real {@code RaftServer}s without sockets. Nodes join
 * with {@link #join} and leave by closing their {@link InMemoryTransport}; a message to a node that is
 * not there when it is delivered is dropped, as a real network would. Delivery runs on one thread of
 * its own, in send order, so a sink is never called on its sender's thread.
 *
 * <p>It keeps the promises {@link NettyTransport} keeps (the transport contract tests run against
 * both), and no more: no faults, no delays. The simulator's network is the one with faults.
 */
public final class InMemoryNetwork implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(InMemoryNetwork.class);

    private final Map<String, InMemoryTransport> members = new ConcurrentHashMap<>();
    private final ExecutorService delivery = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "raftkv-inmemory-network");
        t.setDaemon(true);
        return t;
    });

    /**
     * Connects a node to the network.
     *
     * @throws IllegalStateException if a node with that id is already on it
     */
    public InMemoryTransport join(String id, InboundSink sink) {
        InMemoryTransport t = new InMemoryTransport(this, id, sink);
        if (members.putIfAbsent(id, t) != null) throw new IllegalStateException(id + " is already on the network");
        return t;
    }

    void leave(InMemoryTransport t) {
        members.remove(t.id(), t);
    }

    void deliver(Message m) {
        submit(m, sink -> sink.receive(m));
    }

    /** Copies the snapshot into the receiver's store at delivery, as the wire would, streaming it. */
    void deliverSnapshot(Message.InstallSnapshot m, Snapshot s) {
        submit(m, sink -> {
            SnapshotWriter received;
            try {
                received = sink.snapshotWriter(m);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            try {
                s.copyTo(received);
            } catch (IOException | RuntimeException e) {
                received.close();
                throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
            }
            sink.receiveSnapshot(m, received);
        });
    }

    private void submit(Message m, java.util.function.Consumer<InboundSink> call) {
        try {
            delivery.execute(() -> {
                InMemoryTransport to = members.get(m.to());
                if (to == null) {
                    log.debug("dropped {} to {}: not on the network", m.getClass().getSimpleName(), m.to());
                    return;
                }
                try {
                    call.accept(to.sink());
                } catch (RuntimeException e) {
                    log.error("sink of {} failed on {}", m.to(), m.getClass().getSimpleName(), e);
                }
            });
        } catch (RejectedExecutionException e) {
            log.debug("dropped {}: network closed", m.getClass().getSimpleName());
        }
    }

    @Override
    public void close() {
        delivery.shutdownNow();
        try {
            delivery.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
