package dev.raftkv.node;

import dev.raftkv.raft.SnapshotMeta;
import dev.raftkv.raft.server.LogStorage;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A deliberately broken storage for {@code raftkv verify --control no-fsync}: it says a write is
 * durable at once and hands it to the real log only every {@code delayMillis}. A kill -9 then loses
 * writes the node already acknowledged, which the verifier must report. Never use it otherwise.
 */
final class EagerAckStorage implements LogStorage, AutoCloseable {
    private final LogStorage inner;
    private final ScheduledExecutorService flusher = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "eager-ack-flusher");
        t.setDaemon(true);
        return t;
    });
    private final List<Batch> queued = new ArrayList<>();

    EagerAckStorage(LogStorage inner, long delayMillis) {
        this.inner = inner;
        flusher.scheduleAtFixedRate(this::flush, delayMillis, delayMillis, TimeUnit.MILLISECONDS);
    }

    @Override
    public Recovered load(SnapshotMeta snapshot) {
        return inner.load(snapshot);
    }

    @Override
    public void write(Batch batch, Consumer<Throwable> done) {
        synchronized (queued) {
            queued.add(batch);
        }
        done.accept(null); // the lie this control exists to tell
    }

    private void flush() {
        List<Batch> batches;
        synchronized (queued) {
            batches = new ArrayList<>(queued);
            queued.clear();
        }
        for (Batch b : batches) inner.write(b, error -> { });
    }

    @Override
    public void compact(long index) {
        flusher.execute(() -> {
            flush();
            inner.compact(index);
        });
    }

    @Override
    public void close() {
        flusher.shutdownNow();
    }
}
