package dev.raftkv.jepsen;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.raftkv.check.Op;
import dev.raftkv.check.Outcome;
import dev.raftkv.harness.ProcessCluster;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * One Jepsen-style worker: puts, gets (half linearizable, half lease reads) and CASes on a few keys
 * over HTTP, every written value unique, each recorded with invoke and completion times. 503 is FAIL
 * (not applied), 504, a timeout or a lost connection is UNKNOWN, after which the worker goes on as a
 * new process. Lease reads are checked like any read: a lease broken by clock skew shows up as a
 * stale read.
 */
public final class RecordingClient implements Runnable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final int worker;
    private final ProcessCluster cluster;
    private final int keys;
    private final Random random;
    private final LongSupplier clock;
    private final Consumer<ClientOp> history;
    private final AtomicBoolean running;
    private final AtomicInteger processes;
    private int process;
    private int written;

    public RecordingClient(int worker, ProcessCluster cluster, int keys, long seed, LongSupplier clock, Consumer<ClientOp> history,
                    AtomicBoolean running, AtomicInteger processes) {
        this.worker = worker;
        this.cluster = cluster;
        this.keys = keys;
        this.random = new Random(seed);
        this.clock = clock;
        this.history = history;
        this.running = running;
        this.processes = processes;
        this.process = processes.getAndIncrement();
    }

    @Override
    public void run() {
        String lastValue = null;
        while (running.get()) {
            String key = "k" + random.nextInt(keys);
            // members not started yet (or killed) would only add requests that never reached anyone
            List<ProcessCluster.Member> members = cluster.members().stream().filter(ProcessCluster.Member::isRunning).toList();
            if (members.isEmpty()) members = cluster.members();
            String node = members.get(random.nextInt(members.size())).id;
            int roll = random.nextInt(10);
            long invoke = clock.getAsLong();
            Op op;
            String consistency = null;
            if (roll < 4) {
                String value = "w" + worker + "-" + (++written);
                HttpResponse<String> r = cluster.call(node, "PUT", "/v1/kv/" + key, value);
                op = Op.put(process, key, value, invoke, end(r), outcome(r, 200));
                lastValue = value;
            } else if (roll < 8) {
                consistency = roll < 6 ? "linearizable" : roll == 6 ? "lease" : "local";
                HttpResponse<String> r = cluster.call(node, "GET", "/v1/kv/" + key + "?consistency=" + consistency, null);
                String value = r != null && r.statusCode() == 200 ? r.body() : null;
                Outcome o = r != null && (r.statusCode() == 200 || r.statusCode() == 404) ? Outcome.OK : Outcome.FAIL;
                op = Op.get(process, key, value, invoke, clock.getAsLong(), o);
            } else {
                String expect = random.nextInt(3) == 0 ? null : lastValue;
                String value = "w" + worker + "-" + (++written);
                String body = JSON.createObjectNode().put("expect", expect).put("value", value).toString();
                HttpResponse<String> r = cluster.call(node, "POST", "/v1/kv/" + key + "/cas", body);
                boolean known = r != null && (r.statusCode() == 200 || r.statusCode() == 409);
                op = Op.cas(process, key, expect, value, r != null && r.statusCode() == 200, invoke,
                        known || (r != null && r.statusCode() == 503) ? clock.getAsLong() : Op.NEVER,
                        known ? Outcome.OK : r != null && r.statusCode() == 503 ? Outcome.FAIL : Outcome.UNKNOWN);
                lastValue = value;
            }
            history.accept(new ClientOp(op, node, consistency));
            if (op.effectiveOutcome() == Outcome.UNKNOWN) process = processes.getAndIncrement();
            pace();
        }
    }

    /**
     * About twenty operations a second per client, as Jepsen paces its workers: enough concurrency to
     * matter, and a history the checker can still search (every unknown write widens the search).
     */
    private void pace() {
        try {
            Thread.sleep(random.nextInt(100));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running.set(false);
        }
    }

    /** A write's completion time, or never when its outcome is unknown. */
    private long end(HttpResponse<String> r) {
        return outcome(r, 200) == Outcome.UNKNOWN ? Op.NEVER : clock.getAsLong();
    }

    private static Outcome outcome(HttpResponse<String> r, int ok) {
        if (r == null) return Outcome.UNKNOWN; // connection lost or timed out: it may have been applied
        if (r.statusCode() == ok) return Outcome.OK;
        if (r.statusCode() == 503 || r.statusCode() == 400 || r.statusCode() == 413) return Outcome.FAIL;
        return Outcome.UNKNOWN;
    }
}
