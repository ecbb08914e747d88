package dev.raftkv.kv;

import dev.raftkv.kv.store.KvStore;
import dev.raftkv.kv.store.MemoryKvStore;
import dev.raftkv.kv.store.RocksKvStore;
import dev.raftkv.kv.store.RocksSettings;
import dev.raftkv.kv.store.Versioned;
import dev.raftkv.raft.ClusterConfig;
import dev.raftkv.raft.SnapshotMeta;
import dev.raftkv.raft.server.SnapshotWriter;
import dev.raftkv.raft.snapshot.FileSnapshotStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Property: on either store, the machine behaves like a naive model, a {@link TreeMap} of keys in UTF-8
 * byte order with revisions and a table of each client's last seq and answer. Random runs of puts, deletes,
 * compare-and-sets, delete-ranges and transactions (some of them retries, some without a client id) in random
 * batches, with random scans of the store and paged range queries of the machine, a snapshot and restore half
 * way; both stores must also give identical answers to the same run. The model's transactions and compares are
 * written out naively here, not taken from the machine.
 * Plain JUnit over seeded runs: a failure names its seed, and {@code -Dkv.seed=N} replays just that one.
 */
class KvMachineProperties {
    private static final int RUNS = Integer.getInteger("kv.runs", 40);
    private static final RocksSettings SMALL = new RocksSettings(8L << 20, 1L << 20, 2, 10, 4096, 1);
    private static final String[] KEYS = {"a", "b", "ab", "a\u0000", "é", "\uFFFD", "\uD83D\uDE00", "key/1", "key/2", "Z"};

    @TempDir
    Path dir;

    /** The model: values with revisions, and each client's last seq with the answer it got. */
    private static final class Model {
        final TreeMap<byte[], Versioned> data = new TreeMap<>(Arrays::compareUnsigned);
        final Map<String, Long> lastSeq = new HashMap<>();
        final Map<String, KvResult> lastResult = new HashMap<>();

        KvResult apply(long index, KvCommand c) {
            if (!c.clientId().isEmpty() && lastSeq.containsKey(c.clientId()) && c.seq() <= lastSeq.get(c.clientId())) {
                return lastResult.get(c.clientId());
            }
            KvResult r;
            if (c instanceof KvCommand.DeleteRange d) {
                r = new KvResult.DeletedRange(deleteRange(d.range()), index);
            } else if (c instanceof KvCommand.Txn t) {
                r = txn(t, index);
            } else {
                r = onKey(index, (KvCommand.OnKey) c);
            }
            if (!c.clientId().isEmpty()) {
                lastSeq.put(c.clientId(), c.seq());
                lastResult.put(c.clientId(), r);
            }
            return r;
        }

        private KvResult onKey(long index, KvCommand.OnKey c) {
            byte[] key = c.key().getBytes(StandardCharsets.UTF_8);
            Versioned cur = data.get(key);
            KvResult r;
            if (c instanceof KvCommand.Put p) {
                data.put(key, Versioned.written(cur, p.value(), index));
                r = new KvResult.Written(index);
            } else if (c instanceof KvCommand.Delete) {
                r = new KvResult.Deleted(data.remove(key) != null, index);
            } else {
                KvCommand.Cas cas = (KvCommand.Cas) c;
                byte[] now = cur == null ? null : cur.value();
                boolean ok = Arrays.equals(now, cas.expect());
                if (ok) data.put(key, Versioned.written(cur, cas.value(), index));
                r = new KvResult.CasDone(ok, ok ? cas.value() : now, index);
            }
            return r;
        }

        java.util.NavigableMap<byte[], Versioned> in(KeyRange r) {
            if (r.end() != null && Arrays.compareUnsigned(r.start(), r.end()) >= 0) return new TreeMap<>();
            var tail = data.tailMap(r.start(), true);
            return r.end() == null ? tail : tail.headMap(r.end(), false);
        }

        long deleteRange(KeyRange r) {
            var doomed = in(r);
            long n = doomed.size();
            doomed.clear();
            return n;
        }

        /** The naive transaction: every compare against the data as it is, then the branch's operations in order. */
        KvResult txn(KvCommand.Txn t, long index) {
            boolean ok = true;
            for (Compare cmp : t.compares()) ok &= holds(cmp, data.get(cmp.key().getBytes(StandardCharsets.UTF_8)));
            List<KvResult> results = new ArrayList<>();
            for (TxnOp op : ok ? t.success() : t.failure()) {
                if (op instanceof TxnOp.Put p) {
                    results.add(onKey(index, new KvCommand.Put("", 0, p.key(), p.value())));
                } else if (op instanceof TxnOp.Delete d) {
                    results.add(onKey(index, new KvCommand.Delete("", 0, d.key())));
                } else if (op instanceof TxnOp.DeleteRange d) {
                    results.add(new KvResult.DeletedRange(deleteRange(d.range()), index));
                } else if (op instanceof TxnOp.Get g) {
                    Versioned v = data.get(g.key().getBytes(StandardCharsets.UTF_8));
                    results.add(new KvResult.Value(v == null ? null : v.value()));
                } else {
                    TxnOp.Range r = (TxnOp.Range) op;
                    results.add(page(r.range(), r.limit(), r.keysOnly(), index));
                }
            }
            return new KvResult.TxnDone(ok, index, results);
        }

        /** The first {@code limit} keys of the range (the values here are far too small for the byte budget). */
        KvResult.Page page(KeyRange r, int limit, boolean keysOnly, long revision) {
            List<KvResult.Item> items = new ArrayList<>();
            byte[] next = null;
            for (var e : in(r).entrySet()) {
                if (items.size() == limit) {
                    next = e.getKey();
                    break;
                }
                Versioned v = e.getValue();
                items.add(new KvResult.Item(e.getKey(), keysOnly ? null : v.value(), v.createRevision(), v.modRevision(), v.version()));
            }
            return new KvResult.Page(items, next, revision);
        }

        static boolean holds(Compare cmp, Versioned v) {
            if (cmp.target() == Compare.Target.VALUE && v == null) return false;
            long have = switch (cmp.target()) {
                case VALUE -> Arrays.compareUnsigned(v.value(), cmp.value());
                case VERSION -> v == null ? 0 : v.version();
                case CREATE_REVISION -> v == null ? 0 : v.createRevision();
                case MOD_REVISION -> v == null ? 0 : v.modRevision();
                case EXISTS -> v == null ? 0 : 1;
            };
            long want = cmp.target() == Compare.Target.VALUE ? 0 : cmp.number();
            return switch (cmp.relation()) {
                case EQUAL -> have == want;
                case NOT_EQUAL -> have != want;
                case LESS -> have < want;
                case GREATER -> have > want;
            };
        }
    }

    @Test
    void bothStoresBehaveLikeTheModelAndLikeEachOther() throws IOException {
        Long only = Long.getLong("kv.seed");
        for (long seed = only == null ? 1 : only; seed <= (only == null ? RUNS : only); seed++) {
            try {
                run(seed);
            } catch (AssertionError | RuntimeException | IOException e) {
                throw new AssertionError("seed " + seed + " failed (replay: -Dkv.seed=" + seed + "): " + e.getMessage(), e);
            }
        }
    }

    private void run(long seed) throws IOException {
        Random random = new Random(seed);
        Path home = dir.resolve("run-" + seed);
        Model model = new Model();
        try (KvStateMachine memory = new KvStateMachine(new MemoryKvStore());
             KvStateMachine rocks = new KvStateMachine(RocksKvStore.open(home.resolve("rocks"), SMALL))) {
            List<KvStateMachine> machines = new ArrayList<>(List.of(memory, rocks));
            Map<String, Long> seqs = new HashMap<>();
            Map<String, KvCommand> lastCommand = new HashMap<>();
            long index = 0;
            int steps = 100 + random.nextInt(300);
            boolean restored = false;
            for (int step = 0; step < steps; step++) {
                int batchSize = 1 + random.nextInt(6);
                for (int i = 0; i < batchSize; i++) {
                    index++;
                    if (random.nextInt(10) == 0) continue; // a no-op or membership entry: nothing handed to apply
                    KvCommand c = command(random, seqs, lastCommand);
                    KvResult expected = model.apply(index, c);
                    byte[] bytes = KvCodec.encode(c, 1_000 + index);
                    for (KvStateMachine m : machines) {
                        assertThat(m.apply(index, bytes)).as("step %d, %s on %s", step, c, m.store().getClass().getSimpleName())
                                .usingRecursiveComparison().isEqualTo(expected);
                    }
                }
                for (KvStateMachine m : machines) m.endBatch(index);
                if (random.nextInt(8) == 0) checkScan(random, model, machines);
                if (random.nextInt(6) == 0) checkRangeQuery(random, model, machines, index);
                if (!restored && step == steps / 2) {
                    restored = true;
                    machines = restoredCopies(home, machines, index);
                }
            }
            for (KvStateMachine m : machines) {
                assertThat(scan(m.store(), null, null)).as("final state of %s", m.store().getClass().getSimpleName())
                        .isEqualTo(describe(model.data.entrySet()));
                assertThat(m.durableIndex()).isEqualTo(index);
            }
            for (KvStateMachine m : machines) {
                if (m != memory && m != rocks) m.close();
            }
        }
    }

    private static KvCommand command(Random random, Map<String, Long> seqs, Map<String, KvCommand> last) {
        String client = random.nextInt(8) == 0 ? "" : "client-" + random.nextInt(4);
        if (!client.isEmpty() && last.containsKey(client) && random.nextInt(5) == 0) return last.get(client); // a retry
        long seq = client.isEmpty() ? 0 : seqs.merge(client, 1L, Long::sum);
        String key = KEYS[random.nextInt(KEYS.length)];
        byte[] value = ("v" + random.nextInt(5)).getBytes(StandardCharsets.UTF_8);
        KvCommand c = switch (random.nextInt(7)) {
            case 0, 1 -> new KvCommand.Put(client, seq, key, value);
            case 2 -> new KvCommand.Delete(client, seq, key);
            case 3 -> new KvCommand.DeleteRange(client, seq, range(random));
            case 4, 5 -> txn(random, client, seq);
            default -> new KvCommand.Cas(client, seq, key,
                    random.nextBoolean() ? null : ("v" + random.nextInt(5)).getBytes(StandardCharsets.UTF_8), value);
        };
        if (!client.isEmpty()) last.put(client, c);
        return c;
    }

    private static KeyRange range(Random random) {
        String a = KEYS[random.nextInt(KEYS.length)];
        String b = KEYS[random.nextInt(KEYS.length)];
        return switch (random.nextInt(4)) {
            case 0 -> KeyRange.prefix(a.substring(0, random.nextInt(a.length() + 1)));
            case 1 -> KeyRange.between(a, null);
            default -> KeyRange.between(a, b); // sometimes empty or backwards: nothing in it
        };
    }

    private static KvCommand.Txn txn(Random random, String client, long seq) {
        List<Compare> compares = new ArrayList<>();
        for (int i = random.nextInt(3); i > 0; i--) {
            String key = KEYS[random.nextInt(KEYS.length)];
            Compare.Relation rel = Compare.Relation.values()[random.nextInt(4)];
            Compare.Target target = Compare.Target.values()[random.nextInt(Compare.Target.values().length)];
            compares.add(target == Compare.Target.VALUE
                    ? Compare.value(key, rel, ("v" + random.nextInt(5)).getBytes(StandardCharsets.UTF_8))
                    : Compare.number(key, target, rel, random.nextInt(target == Compare.Target.EXISTS ? 2 : 30)));
        }
        return new KvCommand.Txn(client, seq, compares, ops(random), ops(random));
    }

    private static List<TxnOp> ops(Random random) {
        List<TxnOp> ops = new ArrayList<>();
        for (int i = random.nextInt(5); i > 0; i--) {
            String key = KEYS[random.nextInt(KEYS.length)];
            ops.add(switch (random.nextInt(6)) {
                case 0, 1 -> new TxnOp.Put(key, ("t" + random.nextInt(5)).getBytes(StandardCharsets.UTF_8));
                case 2 -> new TxnOp.Delete(key);
                case 3 -> new TxnOp.DeleteRange(range(random));
                case 4 -> new TxnOp.Get(key);
                default -> new TxnOp.Range(range(random), 1 + random.nextInt(4), random.nextBoolean());
            });
        }
        return ops;
    }

    /** The machine's paged range query, page by page to the end, against the model; and its count. */
    private static void checkRangeQuery(Random random, Model model, List<KvStateMachine> machines, long index) {
        KeyRange range = range(random);
        int limit = 1 + random.nextInt(3);
        boolean keysOnly = random.nextBoolean();
        for (KvStateMachine m : machines) {
            KeyRange rest = range;
            List<KvResult.Item> all = new ArrayList<>();
            for (int pages = 0; ; pages++) {
                assertThat(pages).as("pages of %s", range).isLessThanOrEqualTo(KEYS.length);
                KvResult.Page page = (KvResult.Page) m.query(KvCodec.encodeQuery(new KvQuery.Range(rest, limit, keysOnly, false)));
                assertThat(page.revision()).isEqualTo(index);
                assertThat(page).usingRecursiveComparison().isEqualTo(model.page(rest, limit, keysOnly, index));
                all.addAll(page.items());
                if (page.next() == null) break;
                rest = rest.from(page.next());
            }
            assertThat(all).hasSize(model.in(range).size());
            assertThat(m.query(KvCodec.encodeQuery(new KvQuery.Range(range, 1, false, true))))
                    .isEqualTo(new KvResult.Count(model.in(range).size(), index));
        }
    }

    private static void checkScan(Random random, Model model, List<KvStateMachine> machines) {
        byte[] from = random.nextBoolean() ? null : KEYS[random.nextInt(KEYS.length)].getBytes(StandardCharsets.UTF_8);
        byte[] to = random.nextBoolean() ? null : KEYS[random.nextInt(KEYS.length)].getBytes(StandardCharsets.UTF_8);
        if (from != null && to != null && Arrays.compareUnsigned(from, to) > 0) return;
        var range = from == null ? model.data : model.data.tailMap(from, true);
        if (to != null) range = range.headMap(to, false);
        List<String> expected = describe(range.entrySet());
        for (KvStateMachine m : machines) assertThat(scan(m.store(), from, to)).isEqualTo(expected);
    }

    private static List<String> scan(KvStore store, byte[] from, byte[] to) {
        List<Map.Entry<byte[], Versioned>> out = new ArrayList<>();
        try (KvStore.Cursor<KvStore.Entry> c = store.scan(from, to)) {
            c.forEachRemaining(e -> out.add(Map.entry(e.key(), e.value())));
        }
        return describe(out);
    }

    /** Entries as text, key, value and revisions, so that lists of them compare by content. */
    private static List<String> describe(java.util.Collection<Map.Entry<byte[], Versioned>> entries) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<byte[], Versioned> e : entries) {
            Versioned v = e.getValue();
            out.add(new String(e.getKey(), StandardCharsets.UTF_8) + "=" + new String(v.value(), StandardCharsets.UTF_8)
                    + " create " + v.createRevision() + " mod " + v.modRevision() + " version " + v.version());
        }
        return out;
    }

    /** Each machine's state through a snapshot into a fresh machine of the same kind, which goes on from there. */
    private static List<KvStateMachine> restoredCopies(Path home, List<KvStateMachine> machines, long index) throws IOException {
        List<KvStateMachine> copies = new ArrayList<>();
        for (KvStateMachine m : machines) {
            boolean rocks = m.store() instanceof RocksKvStore;
            String name = rocks ? "rocks" : "memory";
            FileSnapshotStore snapshots = FileSnapshotStore.open(home.resolve("snapshots-" + name));
            try (SnapshotWriter w = snapshots.create(new SnapshotMeta(index, 1, ClusterConfig.ofVoters("n1")))) {
                m.snapshot(w);
                w.commit();
            }
            KvStateMachine copy = new KvStateMachine(rocks ? RocksKvStore.open(home.resolve("rocks-copy"), SMALL) : new MemoryKvStore());
            copy.restore(snapshots.latest());
            copies.add(copy);
        }
        return copies;
    }
}
