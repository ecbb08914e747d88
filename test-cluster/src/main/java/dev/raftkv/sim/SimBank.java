package dev.raftkv.sim;

import dev.raftkv.kv.Compare;
import dev.raftkv.kv.KeyRange;
import dev.raftkv.kv.KvCodec;
import dev.raftkv.kv.KvCommand;
import dev.raftkv.kv.KvQuery;
import dev.raftkv.kv.KvResult;
import dev.raftkv.kv.LogEntries;
import dev.raftkv.kv.TxnOp;
import dev.raftkv.raft.InjectedBug;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * A bank in virtual time, for transactions, ranges and delete-ranges: {@value #ACCOUNTS} accounts under
 * {@code bank/}, an absent one holding {@value #OPENING}. One client audits (a range of the whole bank, at any
 * consistency: every page is one revision, so its balances must add up to the total whatever has happened),
 * transfers (reads two balances and their mod revisions with a range, then a transaction that moves an amount
 * only if neither changed since) and now and then closes the bank (a delete-range: every account back to the
 * opening balance, which keeps the total). An audit that does not add up is a violation, and so is one that is not
 * exactly what the log says the bank held at its revision ({@link BankReference}); after the run one last
 * linearizable audit must pass both.
 */
final class SimBank {
    static final int ACCOUNTS = 5;
    static final long OPENING = 100;
    static final String PREFIX = "bank/";
    private static final KeyRange ALL = KeyRange.prefix(PREFIX);

    private final SimWorld world;
    private final List<SimNode> nodes;
    private final Set<InjectedBug> bugs;
    private final long timeoutMillis;
    private final Consumer<String> violated;
    private final Random random;
    private final BankReference reference;
    private long seq;
    private boolean stopped;
    private int audits;
    private int transfers;
    /**
     * The highest revision of a bank write acknowledged so far. A linearizable or lease range asked after it must
     * reflect it: revisions are the log's order, so this is what linearizability asks of a multi-key read.
     */
    private long acknowledged;

    SimBank(SimWorld world, List<SimNode> nodes, Set<InjectedBug> bugs, long timeoutMillis, Consumer<String> violated, long seed,
            BankReference reference) {
        this.reference = reference;
        this.world = world;
        this.nodes = nodes;
        this.bugs = bugs;
        this.timeoutMillis = timeoutMillis;
        this.violated = violated;
        // a generator of its own, so that the bank draws nothing from the world's
        this.random = new Random(seed * 0xB4A4L + 17);
    }

    void start() {
        world.after(1 + random.nextInt(20), this::issue);
    }

    void stop() {
        stopped = true;
    }

    private void issue() {
        if (stopped) return;
        SimNode node = nodes.get(random.nextInt(nodes.size()));
        if (!node.isUp() || node.server().core() == null) {
            next();
            return;
        }
        int roll = random.nextInt(20);
        if (roll < 8) {
            int how = random.nextInt(3);
            long floor = acknowledged;
            read(node, how).whenComplete((page, e) -> world.after(1, () -> {
                if (page != null) {
                    audit(node.id, page);
                    if (how != 2 && page.revision() < floor) {
                        violated.accept("bank: a " + (how == 0 ? "linearizable" : "lease") + " range on " + node.id
                                + " reflects revision " + page.revision() + ", but a write at revision " + floor
                                + " was acknowledged before it was asked");
                    }
                }
                next();
            }));
        } else if (roll < 19) {
            read(node, 0).whenComplete((page, e) -> world.after(1, () -> {
                if (page != null) transfer(node, page);
                else next();
            }));
        } else {
            propose(node, new KvCommand.DeleteRange("bank", ++seq, ALL)).whenComplete((r, e) -> world.after(1, () -> {
                if (r instanceof KvResult.DeletedRange d) acknowledge(d.revision());
                next();
            }));
        }
    }

    private void acknowledge(long revision) {
        acknowledged = Math.max(acknowledged, revision);
    }

    private void next() {
        if (!stopped) world.after(1 + random.nextInt(15), this::issue);
    }

    /** The query for a page of the whole bank. */
    static byte[] query() {
        return KvCodec.encodeQuery(new KvQuery.Range(ALL, ACCOUNTS, false, false));
    }

    /** A page of the whole bank: linearizable (0), lease (1) or local (2). */
    private CompletableFuture<KvResult.Page> read(SimNode node, int how) {
        byte[] q = query();
        CompletableFuture<Object> f = how == 0 ? node.server().read(q) : how == 1 ? node.server().readLease(q) : node.server().readLocal(q);
        return timeout(f).thenApply(r -> (KvResult.Page) r);
    }

    /** The balances a page shows, absent accounts at the opening balance; index {@code ACCOUNTS} is the total. */
    private static long[] balances(KvResult.Page page, long[] modRevisions) {
        long[] b = new long[ACCOUNTS];
        java.util.Arrays.fill(b, OPENING);
        for (KvResult.Item item : page.items()) {
            int account = Integer.parseInt(new String(item.key(), StandardCharsets.UTF_8).substring(PREFIX.length()));
            b[account] = Long.parseLong(new String(item.value(), StandardCharsets.UTF_8));
            if (modRevisions != null) modRevisions[account] = item.modRevision();
        }
        return b;
    }

    /** Checks one page of the whole bank (also the simulator's last audit, after the run). */
    void audit(String node, KvResult.Page page) {
        audits++;
        String wrong = reference.mismatch(page);
        if (wrong != null) violated.accept("bank: an audit on " + node + ": " + wrong);
        long total = 0;
        for (long b : balances(page, null)) total += b;
        if (total != ACCOUNTS * OPENING) {
            violated.accept("bank: an audit on " + node + " at revision " + page.revision() + " adds up to " + total
                    + ", not " + ACCOUNTS * OPENING + ": " + BankReference.describe(page.items()));
        }
    }

    private void transfer(SimNode node, KvResult.Page page) {
        long[] rev = new long[ACCOUNTS];
        long[] b = balances(page, rev);
        int from = random.nextInt(ACCOUNTS);
        int to = (from + 1 + random.nextInt(ACCOUNTS - 1)) % ACCOUNTS;
        long amount = 1 + random.nextInt(20);
        List<Compare> unchanged = List.of(
                Compare.number(PREFIX + from, Compare.Target.MOD_REVISION, Compare.Relation.EQUAL, rev[from]),
                Compare.number(PREFIX + to, Compare.Target.MOD_REVISION, Compare.Relation.EQUAL, rev[to]));
        List<TxnOp> move = List.of(new TxnOp.Put(PREFIX + from, Long.toString(b[from] - amount).getBytes(StandardCharsets.UTF_8)),
                new TxnOp.Put(PREFIX + to, Long.toString(b[to] + amount).getBytes(StandardCharsets.UTF_8)));
        transfers++;
        List<CompletableFuture<Object>> sent = new ArrayList<>();
        for (KvCommand c : LogEntries.of(new KvCommand.Txn("bank", ++seq, unchanged, move, List.of()), bugs)) sent.add(propose(node, c));
        CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).whenComplete((r, e) -> world.after(1, () -> {
            for (CompletableFuture<Object> f : sent) {
                if (f.isDone() && !f.isCompletedExceptionally() && f.join() instanceof KvResult.TxnDone t) acknowledge(t.revision());
            }
            next();
        }));
    }

    /** Proposes on {@code node}, which may have crashed since the read this request follows. */
    private CompletableFuture<Object> propose(SimNode node, KvCommand c) {
        if (!node.isUp() || node.server() == null || node.server().core() == null) {
            return CompletableFuture.failedFuture(new java.net.ConnectException(node.id + " is down"));
        }
        return timeout(node.server().propose(KvCodec.encode(c)));
    }

    /** Gives up on an answer after the client timeout, in virtual time (the request may still apply). */
    private <T> CompletableFuture<T> timeout(CompletableFuture<T> f) {
        CompletableFuture<T> out = new CompletableFuture<>();
        f.whenComplete((r, e) -> {
            if (e == null) out.complete(r);
            else out.completeExceptionally(e);
        });
        world.after(timeoutMillis, () -> out.completeExceptionally(new java.util.concurrent.TimeoutException()));
        return out;
    }

    String summary() {
        return audits + " audits, " + transfers + " transfers";
    }
}
