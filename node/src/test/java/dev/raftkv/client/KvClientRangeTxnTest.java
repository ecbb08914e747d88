package dev.raftkv.client;

import dev.raftkv.client.ClientProtocol.Consistency;
import dev.raftkv.kv.Compare;
import dev.raftkv.kv.KeyRange;
import dev.raftkv.kv.KvLimits;
import dev.raftkv.kv.KvResult;
import dev.raftkv.kv.TxnOp;
import dev.raftkv.node.ClientServer;
import dev.raftkv.node.OneNodeCluster;
import dev.raftkv.node.RaftkvNode;
import dev.raftkv.node.StoreKind;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static dev.raftkv.client.ClientTests.await;
import static dev.raftkv.client.ClientTests.clientAddress;
import static dev.raftkv.client.ClientTests.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** KvClient's scans, counts, delete-ranges and transactions against a one-node cluster, on both stores. */
class KvClientRangeTxnTest {
    @TempDir
    Path dir;
    @RegisterExtension
    final Closer closer = new Closer();

    private KvClient client(StoreKind store) throws Exception {
        RaftkvNode node = closer.add(OneNodeCluster.start(dir, KvLimits.DEFAULT, ClientServer.DEFAULT_MAX_IN_FLIGHT, store));
        return closer.add(new KvClient(List.of(clientAddress(node))));
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    /** Writes {@code keys} keys under {@code prefix} (zero-padded, so key order is number order), 100 to a transaction. */
    private static List<String> fill(KvClient client, String prefix, int keys) throws Exception {
        List<String> names = IntStream.range(0, keys).mapToObj(i -> String.format("%s%05d", prefix, i)).toList();
        List<CompletableFuture<KvResult.TxnDone>> txns = new ArrayList<>();
        for (int from = 0; from < keys; from += 100) {
            List<TxnOp> puts = names.subList(from, Math.min(keys, from + 100)).stream()
                    .map(k -> (TxnOp) new TxnOp.Put(k, utf8("v-" + k))).toList();
            txns.add(client.txn(List.of(), puts, List.of()));
        }
        for (CompletableFuture<KvResult.TxnDone> t : txns) assertThat(await(t).succeeded()).isTrue();
        return names;
    }

    @ParameterizedTest
    @EnumSource(StoreKind.class)
    void aScanPastOnePageReturnsEveryKeyOnceInOrder(StoreKind store) throws Exception {
        KvClient client = client(store);
        List<String> keys = fill(client, "s/", 1_005);
        await(client.put("t", utf8("outside the prefix")));
        await(client.put("r", utf8("before it")));

        List<String> scanned = client.scan(KeyRange.prefix("s/"), Consistency.LINEARIZABLE).map(i -> text(i.key())).toList();
        assertThat(scanned).isEqualTo(keys); // 1,000 and 5: two pages
        // small pages: each page is one read, and one ends exactly where the next begins
        List<KvResult.Item> small = client.scan(KeyRange.prefix("s/"), 7, false, Consistency.LEASE).toList();
        assertThat(small).extracting(i -> text(i.key())).isEqualTo(keys);
        assertThat(small.get(3).value()).isEqualTo(utf8("v-" + keys.get(3)));
        assertThat(client.scan(KeyRange.prefix("s/"), 50, true, Consistency.LOCAL).limit(3).map(KvResult.Item::value).toList())
                .containsOnlyNulls().hasSize(3);
        assertThat(client.scan(KeyRange.prefix("nothing/"), Consistency.LINEARIZABLE).count()).isZero();

        KvResult.Page first = await(client.scanPage(KeyRange.between("s/00010", "s/00020"), 4, false, Consistency.LINEARIZABLE));
        assertThat(first.items()).extracting(i -> text(i.key())).containsExactly("s/00010", "s/00011", "s/00012", "s/00013");
        assertThat(text(first.next())).isEqualTo("s/00014");
        assertThat(await(client.count(KeyRange.prefix("s/"), Consistency.LINEARIZABLE)).count()).isEqualTo(1_005);
        assertThat(await(client.count(KeyRange.between("", null), Consistency.LOCAL)).count()).isEqualTo(1_007);
    }

    @ParameterizedTest
    @EnumSource(StoreKind.class)
    void aScanReadsItsPagesOnlyAsItIsConsumed(StoreKind store) throws Exception {
        KvClient client = client(store);
        fill(client, "lazy/", 30);
        Iterator<KvResult.Item> scan = client.scan(KeyRange.prefix("lazy/"), 10, false, Consistency.LINEARIZABLE).iterator();
        for (int i = 0; i < 10; i++) scan.next();
        // written after the first page was read, inside the range the next pages cover
        await(client.put("lazy/00025x", utf8("late")));
        List<String> rest = new ArrayList<>();
        scan.forEachRemaining(i -> rest.add(text(i.key())));
        assertThat(rest).hasSize(21).contains("lazy/00025x");
    }

    @ParameterizedTest
    @EnumSource(StoreKind.class)
    void deleteRangeRemovesTheRangeAndNothingElse(StoreKind store) throws Exception {
        KvClient client = client(store);
        fill(client, "d/", 250);
        await(client.put("d0", utf8("next to the prefix")));
        KvResult.DeletedRange deleted = await(client.deleteRange(KeyRange.prefix("d/")));
        assertThat(deleted.count()).isEqualTo(250);
        assertThat(deleted.revision()).isPositive();
        assertThat(await(client.count(KeyRange.prefix("d/"), Consistency.LINEARIZABLE)).count()).isZero();
        assertThat(await(client.get("d0"))).isEqualTo(utf8("next to the prefix"));
        assertThat(await(client.deleteRange(KeyRange.prefix("d/"))).count()).isZero();
    }

    @ParameterizedTest
    @EnumSource(StoreKind.class)
    void aTransactionRunsOneBranchAtOneRevision(StoreKind store) throws Exception {
        KvClient client = client(store);
        long created = await(client.put("acct/a", utf8("10")));
        await(client.put("acct/b", utf8("0")));
        List<Compare> unchanged = List.of(Compare.number("acct/a", Compare.Target.MOD_REVISION, Compare.Relation.EQUAL, created));
        List<TxnOp> move = List.of(new TxnOp.Put("acct/a", utf8("5")), new TxnOp.Put("acct/b", utf8("5")),
                new TxnOp.Range(KeyRange.prefix("acct/"), 10, false));
        KvResult.TxnDone moved = await(client.txn(unchanged, move, List.of(new TxnOp.Get("acct/a"))));
        assertThat(moved.succeeded()).isTrue();
        assertThat(moved.results().get(0)).isEqualTo(new KvResult.Written(moved.revision()));
        KvResult.Page seen = (KvResult.Page) moved.results().get(2);
        assertThat(seen.items()).extracting(i -> text(i.value())).containsExactly("5", "5"); // each op sees the ones before
        assertThat(seen.items()).extracting(KvResult.Item::modRevision).containsOnly(moved.revision());

        KvResult.TxnDone stale = await(client.txn(unchanged, move, List.of(new TxnOp.Get("acct/a"))));
        assertThat(stale.succeeded()).isFalse();
        assertThat(((KvResult.Value) stale.results().get(0)).value()).isEqualTo(utf8("5"));

        List<TxnOp> tooMany = java.util.Collections.nCopies(KvLimits.MAX_TXN_OPS + 1, new TxnOp.Get("acct/a"));
        assertThatThrownBy(() -> await(client.txn(List.of(), tooMany, List.of())))
                .cause().isInstanceOfSatisfying(KvLimits.Violation.class, v -> assertThat(v.tooLarge()).isTrue());
    }

    @ParameterizedTest
    @EnumSource(StoreKind.class)
    void aTransactionRetriedWithTheSameSeqIsAppliedOnce(StoreKind store) throws Exception {
        RaftkvNode node = closer.add(OneNodeCluster.start(dir, KvLimits.DEFAULT, ClientServer.DEFAULT_MAX_IN_FLIGHT, store));
        KvClient direct = closer.add(new KvClient(List.of(clientAddress(node))));
        await(direct.put("n", utf8("0")));
        FakeClientServer flaky = closer.add(FakeClientServer.losingFirstAnswer(clientAddress(node)));
        KvClient client = closer.add(new KvClient(List.of(flaky.address())));
        // applied twice, the second run would take the failure branch; as one write retried it succeeded
        KvResult.TxnDone done = await(client.txn(List.of(Compare.value("n", Compare.Relation.EQUAL, utf8("0"))),
                List.of(new TxnOp.Put("n", utf8("1")), new TxnOp.Put("applied", utf8("once"))), List.of(new TxnOp.Delete("n"))));
        assertThat(done.succeeded()).isTrue();
        assertThat(flaky.received).hasSize(2);
        ClientRequest first = flaky.received.get(0);
        ClientRequest second = flaky.received.get(1);
        assertThat(second.clientId()).isEqualTo(first.clientId());
        assertThat(second.seq()).isEqualTo(first.seq());
        assertThat(second.command()).isEqualTo(first.command());
        assertThat(await(direct.get("n"))).isEqualTo(utf8("1"));
        KvResult.Page applied = await(direct.scanPage(KeyRange.prefix("applied"), 10, false, Consistency.LINEARIZABLE));
        assertThat(applied.items()).singleElement().satisfies(i -> assertThat(i.version()).isEqualTo(1));
    }

    @ParameterizedTest
    @EnumSource(StoreKind.class)
    void aDeleteRangeRetriedAfterOutcomeUnknownIsAnsweredWithItsFirstCount(StoreKind store) throws Exception {
        RaftkvNode node = closer.add(OneNodeCluster.start(dir, KvLimits.DEFAULT, ClientServer.DEFAULT_MAX_IN_FLIGHT, store));
        KvClient direct = closer.add(new KvClient(List.of(clientAddress(node))));
        fill(direct, "x/", 12);
        FakeClientServer flaky = closer.add(FakeClientServer.losingFirstAnswer(clientAddress(node)));
        KvClient client = closer.add(new KvClient(List.of(flaky.address())));
        // run again, the delete would find nothing: the retry is answered with the first run's count
        assertThat(await(client.deleteRange(KeyRange.prefix("x/"))).count()).isEqualTo(12);
        assertThat(flaky.received).hasSize(2);
        assertThat(flaky.received.stream().map(ClientRequest::seq).collect(Collectors.toSet())).hasSize(1);
    }
}
