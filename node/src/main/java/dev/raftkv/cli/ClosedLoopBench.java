package dev.raftkv.cli;

import dev.raftkv.client.ClientProtocol;
import dev.raftkv.client.KvClient;
import dev.raftkv.kv.Compare;
import dev.raftkv.kv.KeyRange;
import dev.raftkv.kv.KvResult;
import dev.raftkv.kv.TxnOp;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Consumer;

/**
 * N closed-loop clients over one KvClient: each sends its next request as soon as the previous one is
 * answered, until the end time. Latencies (microseconds) go into an HdrHistogram Recorder, which lets
 * the progress reporter take interval snapshots while the clients keep recording.
 */
final class ClosedLoopBench {
    /**
     * LOAD writes each of the keys once (bench-0 .. bench-N-1), spread over the clients, and ends when all are written.
     * SCAN reads one page of {@code scanKeys} keys from a random key on; TXN moves between two random keys: a
     * transaction that puts both if neither changed since this bench last saw it (their mod revisions), else
     * reads their revisions back, the way an optimistic client retries.
     */
    enum Workload { PUT, GET, MIXED, LOAD, SCAN, TXN;

        /** Whether it reads or compares keys that must exist first. */
        boolean needsPreload() {
            return this != PUT && this != LOAD;
        }
    }

    /** What one progress interval or the whole run measured. */
    record Interval(double seconds, long ops, long errors, Histogram latencyMicros) {
        double throughput() {
            return seconds <= 0 ? 0 : ops / seconds;
        }

        double percentileMillis(double p) {
            return latencyMicros.getTotalCount() == 0 ? 0 : latencyMicros.getValueAtPercentile(p) / 1000.0;
        }
    }

    private final KvClient client;
    private final Workload workload;
    private final int keys;
    private final byte[] value;
    private final Recorder recorder = new Recorder(3);
    private final AtomicLong errors = new AtomicLong();
    /** LOAD: the next key to write; a key whose put failed is not written again (it counts as an error). */
    private final AtomicLong nextKey = new AtomicLong();
    /** SCAN: keys per page. */
    private final int scanKeys;
    /** TXN: each key's mod revision as this bench last saw it; a transfer compares against these. */
    private final AtomicLongArray revisions;
    /** TXN: transfers whose compare failed because another client moved a key first (each still one answered op). */
    private final AtomicLong conflicts = new AtomicLong();
    private volatile String lastError;

    ClosedLoopBench(KvClient client, Workload workload, int keys, int valueSize, int scanKeys) {
        if (workload == Workload.TXN && keys < 2) throw new IllegalArgumentException("a transfer needs --keys of at least 2");
        this.client = client;
        this.workload = workload;
        this.keys = keys;
        this.scanKeys = scanKeys;
        this.revisions = new AtomicLongArray(keys);
        this.value = new byte[valueSize];
        for (int i = 0; i < valueSize; i++) value[i] = (byte) ('a' + i % 26);
    }

    /** Writes every key once, so that reads find values, and notes each key's revision for the transfers. */
    void preload() {
        CompletableFuture<?>[] puts = new CompletableFuture<?>[keys];
        for (int i = 0; i < keys; i++) {
            int k = i;
            puts[i] = client.put(key(i), value).thenAccept(index -> revisions.set(k, index));
        }
        CompletableFuture.allOf(puts).join();
    }

    /** TXN: how many transfers found a key changed under them. */
    long conflicts() {
        return conflicts.get();
    }

    /** Runs {@code clients} loops for {@code durationNanos}; {@code progress} gets an interval every {@code reportNanos}. */
    Interval run(int clients, long durationNanos, long reportNanos, Consumer<Interval> progress) throws InterruptedException {
        long start = System.nanoTime();
        long end = start + durationNanos;
        CountDownLatch finished = new CountDownLatch(clients);
        recorder.reset();
        for (int i = 0; i < clients; i++) next(end, finished);
        Histogram total = new Histogram(3);
        long totalErrors = 0;
        long intervalStart = start;
        for (long nextReport = start + reportNanos; nextReport < end; nextReport += reportNanos) {
            if (finished.await(nextReport - System.nanoTime(), TimeUnit.NANOSECONDS)) break;
            long now = System.nanoTime();
            Histogram h = recorder.getIntervalHistogram();
            long e = errors.getAndSet(0);
            total.add(h);
            totalErrors += e;
            progress.accept(new Interval((now - intervalStart) / 1e9, h.getTotalCount(), e, h));
            intervalStart = now;
        }
        // after the end time each loop stops once its request in flight is settled, within the client's timeout
        if (!finished.await(end - System.nanoTime() + TimeUnit.SECONDS.toNanos(30), TimeUnit.NANOSECONDS)) {
            throw new IllegalStateException("clients still busy 30 s after the end of the run");
        }
        total.add(recorder.getIntervalHistogram());
        totalErrors += errors.getAndSet(0);
        return new Interval((System.nanoTime() - start) / 1e9, total.getTotalCount(), totalErrors, total);
    }

    String lastError() {
        return lastError;
    }

    private void next(long end, CountDownLatch finished) {
        if (System.nanoTime() >= end) {
            finished.countDown();
            return;
        }
        CompletableFuture<?> op = op();
        if (op == null) { // LOAD: every key is written
            finished.countDown();
            return;
        }
        long t0 = System.nanoTime();
        op.whenComplete((r, e) -> {
            if (e == null) {
                recorder.recordValue(Math.max(1, (System.nanoTime() - t0) / 1000));
            } else {
                errors.incrementAndGet();
                lastError = e.toString();
            }
            next(end, finished);
        });
    }

    /** The next request, or null when a LOAD has written every key. */
    private CompletableFuture<?> op() {
        if (workload == Workload.LOAD) {
            long i = nextKey.getAndIncrement();
            return i < keys ? client.put(key((int) i), value) : null;
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        if (workload == Workload.SCAN) {
            // a start near the end of the key order gets a shorter page: every start is as likely as in a real scan
            KeyRange rest = ALL.from(key(random.nextInt(keys)).getBytes(StandardCharsets.UTF_8));
            return client.scanPage(rest, scanKeys, false, ClientProtocol.Consistency.LINEARIZABLE);
        }
        if (workload == Workload.TXN) {
            int from = random.nextInt(keys);
            int to = (from + 1 + random.nextInt(keys - 1)) % keys;
            return transfer(from, to);
        }
        String key = key(random.nextInt(keys));
        boolean put = workload == Workload.PUT || (workload == Workload.MIXED && random.nextBoolean());
        return put ? client.put(key, value) : client.get(key);
    }

    /**
     * Puts both keys if neither changed since it was last seen; otherwise reads both keys' revisions back (a range
     * of one from each key: the key itself sorts first among those it prefixes, and every key exists).
     */
    private CompletableFuture<?> transfer(int from, int to) {
        String a = key(from);
        String b = key(to);
        List<Compare> unchanged = List.of(
                Compare.number(a, Compare.Target.MOD_REVISION, Compare.Relation.EQUAL, revisions.get(from)),
                Compare.number(b, Compare.Target.MOD_REVISION, Compare.Relation.EQUAL, revisions.get(to)));
        List<TxnOp> move = List.of(new TxnOp.Put(a, value), new TxnOp.Put(b, value));
        List<TxnOp> reread = List.of(new TxnOp.Range(KeyRange.prefix(a), 1, true), new TxnOp.Range(KeyRange.prefix(b), 1, true));
        return client.txn(unchanged, move, reread).thenAccept(done -> {
            if (done.succeeded()) {
                revisions.set(from, done.revision());
                revisions.set(to, done.revision());
                return;
            }
            conflicts.incrementAndGet();
            revisions.set(from, ((KvResult.Page) done.results().get(0)).items().get(0).modRevision());
            revisions.set(to, ((KvResult.Page) done.results().get(1)).items().get(0).modRevision());
        });
    }

    private static final String PREFIX = "bench-";
    private static final KeyRange ALL = KeyRange.prefix(PREFIX);

    private static String key(int i) {
        return PREFIX + i;
    }
}
