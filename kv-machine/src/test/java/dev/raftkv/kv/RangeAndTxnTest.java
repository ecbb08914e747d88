package dev.raftkv.kv;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Ranges, delete-ranges and transactions on the machine: the rules the model property does not spell out. */
class RangeAndTxnTest {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static Object apply(KvStateMachine m, long index, KvCommand c) {
        Object r = m.apply(index, KvCodec.encode(c));
        m.endBatch(index);
        return r;
    }

    private static KvResult.Page page(KvStateMachine m, KeyRange range, int limit) {
        return (KvResult.Page) m.query(KvCodec.encodeQuery(new KvQuery.Range(range, limit, false, false)));
    }

    private static List<String> keys(KvResult.Page page) {
        return page.items().stream().map(i -> new String(i.key(), StandardCharsets.UTF_8)).toList();
    }

    @Test
    void aPrefixHoldsExactlyTheKeysThatStartWithIt() {
        KeyRange r = KeyRange.prefix("app/");
        assertThat(r.contains(b("app/"))).isTrue();
        assertThat(r.contains(b("app/x/y"))).isTrue();
        assertThat(r.contains(b("app0"))).isFalse(); // '0' is the byte after '/'
        assertThat(r.contains(b("app"))).isFalse();
        assertThat(KeyRange.prefix("é").contains(b("éa"))).isTrue(); // the end bumps the last UTF-8 byte, not a char
        assertThat(KeyRange.prefix("").end()).isNull();
        assertThat(KeyRange.between("b", "a").isEmpty()).isTrue();
    }

    @Test
    void aDeleteRangeRemovesTheRangeInOneEntryAndSaysHowMany() {
        KvStateMachine m = new KvStateMachine();
        long i = 0;
        for (String k : List.of("a", "app/1", "app/2", "app/3", "b")) apply(m, ++i, new KvCommand.Put("", 0, k, b("v")));
        assertThat(apply(m, ++i, new KvCommand.DeleteRange("c", 1, KeyRange.prefix("app/")))).isEqualTo(new KvResult.DeletedRange(3, i));
        assertThat(keys(page(m, KeyRange.prefix(""), 10))).containsExactly("a", "b");
        assertThat(page(m, KeyRange.prefix(""), 10).revision()).isEqualTo(i);
    }

    @Test
    void pagesStopAtTheirLimitOrTheirBytesAndSayWhereToGoOn() {
        KvStateMachine m = new KvStateMachine();
        byte[] mib = new byte[1 << 20];
        for (int k = 0; k < 10; k++) apply(m, k + 1, new KvCommand.Put("", 0, "k" + k, mib));
        KvResult.Page byCount = page(m, KeyRange.prefix("k"), 2);
        assertThat(keys(byCount)).containsExactly("k0", "k1");
        assertThat(byCount.next()).isEqualTo(b("k2"));
        KvResult.Page byBytes = page(m, KeyRange.prefix("k"), 10);
        // 4 MiB a page: three values of 1 MiB and their keys fit, a fourth does not
        assertThat(keys(byBytes)).containsExactly("k0", "k1", "k2");
        assertThat(byBytes.next()).isEqualTo(b("k3"));
        KvResult.Page keysOnly = (KvResult.Page) m.query(KvCodec.encodeQuery(new KvQuery.Range(KeyRange.prefix("k"), 10, true, false)));
        assertThat(keysOnly.items()).hasSize(10).allSatisfy(item -> assertThat(item.value()).isNull());
        assertThat(keysOnly.next()).isNull();
    }

    @Test
    void aTransactionRunsOneBranchAtOneRevisionEachOperationSeeingTheOnesBefore() {
        KvStateMachine m = new KvStateMachine();
        apply(m, 1, new KvCommand.Put("", 0, "balance/a", b("10")));
        apply(m, 2, new KvCommand.Put("", 0, "balance/b", b("5")));
        List<TxnOp> transfer = List.of(new TxnOp.Put("balance/a", b("07")), new TxnOp.Put("balance/b", b("08")),
                new TxnOp.Range(KeyRange.prefix("balance/"), 10, false));
        List<TxnOp> report = List.of(new TxnOp.Get("balance/a"));
        KvCommand.Txn txn = new KvCommand.Txn("c", 1, List.of(Compare.number("balance/a", Compare.Target.MOD_REVISION, Compare.Relation.EQUAL, 1)),
                transfer, report);
        KvResult.TxnDone done = (KvResult.TxnDone) apply(m, 3, txn);
        assertThat(done.succeeded()).isTrue();
        assertThat(done.revision()).isEqualTo(3);
        assertThat(done.results().subList(0, 2)).containsExactly(new KvResult.Written(3), new KvResult.Written(3));
        KvResult.Page seen = (KvResult.Page) done.results().get(2);
        assertThat(seen.items()).extracting(item -> new String(item.value(), StandardCharsets.UTF_8)).containsExactly("07", "08");
        assertThat(seen.items()).allSatisfy(item -> assertThat(item.modRevision()).isEqualTo(3));

        // a retry is answered with its first result, not run again (which would now take the other branch)
        assertThat(apply(m, 4, txn)).usingRecursiveComparison().isEqualTo(done);

        // the same compare now fails (the key's mod revision is 3): the other branch runs, and changes nothing
        KvResult.TxnDone again = (KvResult.TxnDone) apply(m, 5, new KvCommand.Txn("c", 2, txn.compares(), transfer, report));
        assertThat(again.succeeded()).isFalse();
        assertThat(again.revision()).isEqualTo(5);
        assertThat(((KvResult.Value) again.results().get(0)).value()).isEqualTo(b("07"));
    }

    @Test
    void comparesOfAnAbsentKey() {
        Compare.Relation eq = Compare.Relation.EQUAL;
        assertThat(Compare.exists("k", false).holds(null)).isTrue();
        assertThat(Compare.number("k", Compare.Target.VERSION, eq, 0).holds(null)).isTrue();
        for (Compare.Relation rel : Compare.Relation.values()) {
            assertThat(Compare.value("k", rel, b("")).holds(null)).as(rel.name()).isFalse();
        }
    }

    @Test
    void transactionsAndDeleteRangesRoundTripThroughTheLogsBytes() {
        KvCommand.Txn t = new KvCommand.Txn("c", 9,
                List.of(Compare.value("k", Compare.Relation.LESS, b("x")), Compare.exists("j", true)),
                List.of(new TxnOp.Put("k", b("v")), new TxnOp.Delete("j"), new TxnOp.DeleteRange(KeyRange.between("a", null)),
                        new TxnOp.Get("k"), new TxnOp.Range(KeyRange.prefix("p"), 7, true)),
                List.of());
        assertThat(KvCodec.decode(KvCodec.encode(t, 5)).command()).isEqualTo(t);
        KvCommand d = new KvCommand.DeleteRange("", 0, KeyRange.prefix("p"));
        assertThat(KvCodec.decode(KvCodec.encode(d)).command()).isEqualTo(d);
    }

    @Test
    void resultsAndQueriesFromTheWireDecodeOnlyAsExactlyOneValue() {
        // the binary client protocol carries these bytes between client and node, so damage must be refused
        byte[] txn = KvCodec.encodeResult(new KvResult.TxnDone(true, 3, List.of(new KvResult.Written(3))));
        byte[] trailing = java.util.Arrays.copyOf(txn, txn.length + 1);
        assertThatThrownBy(() -> KvCodec.decodeResult(trailing)).isInstanceOf(IllegalArgumentException.class);
        byte[] query = KvCodec.encodeQuery(new KvQuery.Range(KeyRange.prefix("p"), 5, false, false));
        assertThatThrownBy(() -> KvCodec.decodeQuery(java.util.Arrays.copyOf(query, query.length + 1)))
                .isInstanceOf(IllegalArgumentException.class);
        // a transaction's results never nest; a chain of 100,000 nested ones would otherwise overflow the stack
        java.nio.ByteBuffer nested = java.nio.ByteBuffer.allocate(100_000 * 14 + 2);
        for (int i = 0; i < 100_000; i++) nested.put((byte) 5).put((byte) 1).putLong(1).putInt(1);
        nested.put((byte) 2).put((byte) 0);
        assertThatThrownBy(() -> KvCodec.decodeResult(nested.array())).isInstanceOf(IllegalArgumentException.class)
                .cause().hasMessageContaining("inside a transaction result");
    }

    @Test
    void transactionsOutsideTheBoundsAreRefusedBeforeTheLog() {
        KvLimits limits = KvLimits.DEFAULT;
        List<TxnOp> many = new ArrayList<>(Collections.nCopies(KvLimits.MAX_TXN_OPS + 1, new TxnOp.Get("k")));
        assertThatThrownBy(() -> limits.check(new KvCommand.Txn("c", 1, List.of(), many, List.of())))
                .isInstanceOfSatisfying(KvLimits.Violation.class, v -> assertThat(v.tooLarge()).isTrue())
                .hasMessageContaining("the limit is 128");
        byte[] mib = new byte[limits.maxValueBytes()];
        List<TxnOp> big = List.of(new TxnOp.Put("a", mib), new TxnOp.Put("b", mib), new TxnOp.Put("c", mib));
        assertThatThrownBy(() -> limits.check(new KvCommand.Txn("c", 1, List.of(), big, List.of())))
                .isInstanceOfSatisfying(KvLimits.Violation.class, v -> assertThat(v.tooLarge()).isTrue());
        List<TxnOp> badLimit = List.of(new TxnOp.Range(KeyRange.prefix(""), 0, false));
        assertThatThrownBy(() -> limits.check(new KvCommand.Txn("c", 1, List.of(), badLimit, List.of())))
                .isInstanceOfSatisfying(KvLimits.Violation.class, v -> assertThat(v.tooLarge()).isFalse());
        limits.check(new KvCommand.Txn("c", 1, List.of(), List.of(new TxnOp.Put("a", mib), new TxnOp.Put("b", mib)), List.of()));
        // gets are answered whole: with 1 MiB values, four fill a page's 4 MiB, a fifth is refused
        List<TxnOp> fourGets = Collections.nCopies(4, new TxnOp.Get("k"));
        limits.check(new KvCommand.Txn("c", 1, List.of(), fourGets, fourGets));
        List<TxnOp> fiveGets = Collections.nCopies(5, new TxnOp.Get("k"));
        assertThatThrownBy(() -> limits.check(new KvCommand.Txn("c", 1, List.of(), List.of(), fiveGets)))
                .isInstanceOfSatisfying(KvLimits.Violation.class, v -> assertThat(v.tooLarge()).isTrue())
                .hasMessageContaining("read more keys with a range");
        new KvLimits(64, 1024).check(new KvCommand.Txn("c", 1, List.of(), Collections.nCopies(100, new TxnOp.Get("k")), List.of()));
    }
}
