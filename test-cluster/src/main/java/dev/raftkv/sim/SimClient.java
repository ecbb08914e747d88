package dev.raftkv.sim;

import dev.raftkv.check.Op;
import dev.raftkv.check.Outcome;
import dev.raftkv.kv.KvCodec;
import dev.raftkv.kv.KvCommand;
import dev.raftkv.kv.KvResult;
import dev.raftkv.raft.server.NotAppliedException;

import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A client in virtual time: one operation at a time (put, linearizable or lease get, or CAS on a few keys,
 * every written value unique), each recorded with its invoke and completion time. A write whose
 * answer never came is UNKNOWN, and the client goes on as a new process, as in Jepsen.
 */
final class SimClient {
    private final int index;
    private final SimWorld world;
    private final List<SimNode> nodes;
    private final SimHistory history;
    private final int keys;
    private final long timeoutMillis;
    private final SimValues values;
    private final Random random;

    private int process;
    private long seq;
    private int written;
    private String target;
    private boolean stopped;

    SimClient(int index, SimWorld world, List<SimNode> nodes, SimHistory history, int keys, long timeoutMillis,
              SimValues values) {
        this.index = index;
        this.world = world;
        this.nodes = nodes;
        this.history = history;
        this.keys = keys;
        this.timeoutMillis = timeoutMillis;
        this.values = values;
        this.random = new Random(world.random().nextLong());
        this.process = history.newProcess();
    }

    void start() {
        world.after(random.nextInt(20), this::issue);
    }

    void stop() {
        stopped = true;
    }

    private void issue() {
        if (stopped) return;
        String key = "k" + random.nextInt(keys);
        SimNode node = pickNode();
        long invoke = world.now();
        int roll = random.nextInt(10);
        if (roll < 4) {
            String value = "c" + index + "-" + (++written);
            send(node, new KvCommand.Put("c" + index, ++seq, key, values.encode(value)),
                    r -> Op.put(process, key, value, invoke, world.now(), Outcome.OK),
                    o -> Op.put(process, key, value, invoke, o == Outcome.UNKNOWN ? Op.NEVER : world.now(), o));
        } else if (roll < 8) {
            sendRead(node, key, invoke, roll >= 5);
        } else {
            String expect = random.nextInt(4) == 0 ? null : history.someValueOf(key, random);
            String value = "c" + index + "-" + (++written);
            send(node, new KvCommand.Cas("c" + index, ++seq, key, values.encode(expect), values.encode(value)),
                    r -> Op.cas(process, key, expect, value, ((KvResult.CasDone) r).ok(), invoke, world.now(), Outcome.OK),
                    o -> Op.cas(process, key, expect, value, false, invoke, o == Outcome.UNKNOWN ? Op.NEVER : world.now(), o));
        }
    }

    private interface OnResult {
        Op op(Object result);
    }

    private interface OnFailure {
        Op op(Outcome outcome);
    }

    private void send(SimNode node, KvCommand.OnKey command, OnResult ok, OnFailure failed) {
        if (node == null || !node.isUp() || node.server().core() == null) {
            // connection refused: the request never reached a server
            finish(failed.op(Outcome.FAIL), null);
            return;
        }
        history.written(command.key(), values.tag(command instanceof KvCommand.Put p ? p.value() : ((KvCommand.Cas) command).value()));
        await(node.server().propose(KvCodec.encode(command)), ok, failed);
    }

    private void sendRead(SimNode node, String key, long invoke, boolean lease) {
        OnFailure failed = o -> Op.get(process, key, null, invoke, o == Outcome.UNKNOWN ? Op.NEVER : world.now(), o);
        if (node == null || !node.isUp() || node.server().core() == null) {
            finish(failed.op(Outcome.FAIL), null);
            return;
        }
        byte[] query = KvCodec.encodeGet(key);
        await(lease ? node.server().readLease(query) : node.server().read(query),
                r -> Op.get(process, key, values.tag(((KvResult.Value) r).value()), invoke, world.now(), Outcome.OK), failed);
    }

    private void await(CompletableFuture<Object> future, OnResult ok, OnFailure failed) {
        boolean[] done = {false};
        world.after(timeoutMillis, () -> {
            if (done[0]) return;
            done[0] = true;
            finish(failed.op(Outcome.UNKNOWN), null);
        });
        future.whenComplete((result, error) -> world.after(1 + random.nextInt(3), () -> {
            if (done[0]) return;
            done[0] = true;
            if (error == null) {
                finish(ok.op(result), null);
                return;
            }
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            if (cause instanceof NotAppliedException n) finish(failed.op(Outcome.FAIL), n.leaderHint());
            else finish(failed.op(Outcome.UNKNOWN), null);
        }));
    }

    private void finish(Op op, String leaderHint) {
        history.add(op);
        target = leaderHint;
        if (op.effectiveOutcome() == Outcome.UNKNOWN) process = history.newProcess();
        if (!stopped) world.after(1 + random.nextInt(10), this::issue);
    }

    private SimNode pickNode() {
        if (target != null) {
            for (SimNode n : nodes) {
                if (n.id.equals(target)) return n;
            }
        }
        return nodes.get(random.nextInt(nodes.size()));
    }
}
