package dev.raftkv.raft.log;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link Syncer} for tests: counts calls, can do the real fsync or skip it (tests about formats
 * need not pay for it), can hold the next force until released, and can fail every force.
 */
final class TestSyncer implements Syncer {
    final AtomicInteger forces = new AtomicInteger();
    final AtomicInteger directorySyncs = new AtomicInteger();
    private final boolean real;
    private volatile IOException failure;
    private volatile CountDownLatch gate;

    private TestSyncer(boolean real) {
        this.real = real;
    }

    static TestSyncer counting() {
        return new TestSyncer(false);
    }

    static TestSyncer realFsync() {
        return new TestSyncer(true);
    }

    /** From now on every force throws {@code e} (null: stop failing). */
    void failWith(IOException e) {
        failure = e;
    }

    /** The next force waits until {@code release} is counted down. */
    void holdNextForce(CountDownLatch release) {
        gate = release;
    }

    @Override
    public void force(FileChannel channel) throws IOException {
        forces.incrementAndGet();
        CountDownLatch g = gate;
        if (g != null) {
            gate = null;
            try {
                if (!g.await(30, TimeUnit.SECONDS)) throw new IOException("test gate never opened");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }
        IOException f = failure;
        if (f != null) throw f;
        if (real) Syncer.FSYNC.force(channel);
    }

    @Override
    public void syncDirectory(Path dir) throws IOException {
        directorySyncs.incrementAndGet();
        IOException f = failure;
        if (f != null) throw f;
        if (real) Syncer.FSYNC.syncDirectory(dir);
    }
}
