package dev.raftkv.kv;

import dev.raftkv.kv.store.KvStore;
import dev.raftkv.kv.store.MemoryKvStore;
import dev.raftkv.kv.store.RocksKvStore;
import dev.raftkv.kv.store.RocksSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KvStateMachineTest {
    private static byte[] b(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    /** One command as a batch of its own, as the server hands them over. */
    private static Object apply(KvStateMachine m, long index, KvCommand c) {
        return apply(m, index, c, 0);
    }

    private static Object apply(KvStateMachine m, long index, KvCommand c, long proposedAtMillis) {
        Object r = m.apply(index, KvCodec.encode(c, proposedAtMillis));
        m.endBatch(index);
        return r;
    }

    private static String get(KvStateMachine m, String key) {
        byte[] v = ((KvResult.Value) m.query(KvCodec.encodeGet(key))).value();
        return v == null ? null : new String(v, StandardCharsets.UTF_8);
    }

    @Test
    void putGetDeleteAndCompareAndSet() {
        KvStateMachine m = new KvStateMachine();
        assertThat(apply(m, 1, new KvCommand.Put("c", 1, "k", b("a")))).isEqualTo(new KvResult.Written(1));
        assertThat(get(m, "k")).isEqualTo("a");
        KvResult.CasDone failed = (KvResult.CasDone) apply(m, 2, new KvCommand.Cas("c", 2, "k", b("x"), b("b")));
        assertThat(failed.ok()).isFalse();
        assertThat(new String(failed.current(), StandardCharsets.UTF_8)).isEqualTo("a");
        assertThat(((KvResult.CasDone) apply(m, 3, new KvCommand.Cas("c", 3, "k", b("a"), b("b")))).ok()).isTrue();
        assertThat(get(m, "k")).isEqualTo("b");
        assertThat(apply(m, 4, new KvCommand.Delete("c", 4, "k"))).isEqualTo(new KvResult.Deleted(true, 4));
        assertThat(apply(m, 5, new KvCommand.Delete("c", 5, "k"))).isEqualTo(new KvResult.Deleted(false, 5));
        assertThat(get(m, "k")).isNull();
        assertThat(((KvResult.CasDone) apply(m, 6, new KvCommand.Cas("c", 6, "k", null, b("new")))).ok()).isTrue();
        assertThat(get(m, "k")).isEqualTo("new");
    }

    @Test
    void aRetriedRequestIsAppliedOnceAndAnsweredWithItsFirstResult() {
        KvStateMachine m = new KvStateMachine();
        apply(m, 1, new KvCommand.Put("c", 1, "k", b("a")));
        Object first = apply(m, 2, new KvCommand.Cas("c", 2, "k", b("a"), b("b")));
        apply(m, 3, new KvCommand.Put("other", 1, "k", b("a")));
        Object retried = apply(m, 4, new KvCommand.Cas("c", 2, "k", b("a"), b("b")));
        assertThat(retried).usingRecursiveComparison().isEqualTo(first);
        assertThat(get(m, "k")).isEqualTo("a"); // the retry did not swap again
    }

    @Test
    void aCommandInABatchSeesTheWritesBeforeItAndTheBatchIsWrittenAtItsEnd() {
        KvStateMachine m = new KvStateMachine();
        m.apply(1, KvCodec.encode(new KvCommand.Put("c", 1, "k", b("a"))));
        KvResult.CasDone cas = (KvResult.CasDone) m.apply(2, KvCodec.encode(new KvCommand.Cas("c", 2, "k", b("a"), b("b"))));
        assertThat(cas.ok()).isTrue();
        assertThat(get(m, "k")).as("nothing is visible before the batch ends").isNull();
        m.endBatch(3); // a no-op entry at 3 ended the batch
        assertThat(get(m, "k")).isEqualTo("b");
        assertThat(m.store().meta().appliedIndex()).isEqualTo(3);
        assertThat(m.store().get(b("k")).version()).isEqualTo(2);
        assertThat(m.store().get(b("k")).createRevision()).isEqualTo(1);
        assertThat(m.store().get(b("k")).modRevision()).isEqualTo(2);
    }

    @Test
    void entriesTheStoreAlreadyHoldsAreSkippedWhenTheLogIsReplayed() {
        KvStateMachine m = new KvStateMachine();
        apply(m, 1, new KvCommand.Put("c", 1, "k", b("a")));
        apply(m, 2, new KvCommand.Put("c", 2, "k", b("b")));
        assertThat(m.apply(1, KvCodec.encode(new KvCommand.Put("c", 1, "k", b("a"))))).isNull();
        m.endBatch(2);
        assertThat(get(m, "k")).isEqualTo("b");
        assertThat(m.durableIndex()).isEqualTo(2);
    }

    @Test
    void aWriteWithoutAClientIdIsNotDeduplicatedAndLeavesNoSession() {
        KvStateMachine m = new KvStateMachine();
        apply(m, 1, new KvCommand.Put("", 5, "k", b("a")));
        apply(m, 2, new KvCommand.Put("", 5, "k", b("b"))); // the same "seq" again: a different write
        assertThat(get(m, "k")).isEqualTo("b");
        assertThat(m.store().meta().sessionCount()).isZero();
    }

    @TempDir
    Path dir;

    /** The session rules are the machine's, so they hold on either store; each test runs on both. */
    private KvStore store(String kind) throws java.io.IOException {
        return kind.equals("memory") ? new MemoryKvStore()
                : RocksKvStore.open(dir.resolve("rocks-" + System.nanoTime()), RocksSettings.DEFAULT);
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "rocksdb"})
    void sessionsExpireByTheLeaderStampedClockAndARetryWithinTheWindowIsStillAppliedOnce(String kind) throws Exception {
        KvStateMachine m = new KvStateMachine(store(kind), new SessionPolicy(1_000, 100, 1 << 20));
        apply(m, 1, new KvCommand.Put("old", 1, "k", b("a")), 10_000);
        apply(m, 2, new KvCommand.Put("new", 1, "k", b("b")), 10_900);
        // within the window: the retry is answered with its first result, not applied
        assertThat(apply(m, 3, new KvCommand.Put("old", 1, "k", b("a")), 10_950)).isEqualTo(new KvResult.Written(1));
        assertThat(get(m, "k")).isEqualTo("b");
        // a leader whose clock is behind cannot turn the session clock back
        apply(m, 4, new KvCommand.Put("new", 2, "x", b("1")), 5_000);
        assertThat(m.store().meta().sessionClock()).isEqualTo(10_950);
        assertThat(m.store().session("old")).isNotNull();
        // 1 s of session clock after its last write, "old" is forgotten; "new" (written at 10.9 s) is not yet
        apply(m, 5, new KvCommand.Put("third", 1, "y", b("1")), 11_001);
        assertThat(m.store().session("old")).isNull();
        assertThat(m.store().session("new")).isNotNull();
        assertThat(m.store().meta().sessionCount()).isEqualTo(2);
        // which is why a retry long after its first try is applied again: the window is far longer than retries
        apply(m, 6, new KvCommand.Put("old", 1, "k", b("a")), 11_002);
        assertThat(get(m, "k")).isEqualTo("a");
        m.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "rocksdb"})
    void theTableKeepsItsBoundsByDroppingTheLeastRecentlyActiveFirst(String kind) throws Exception {
        KvStateMachine m = new KvStateMachine(store(kind), new SessionPolicy(Long.MAX_VALUE / 2, 3, 1 << 20));
        for (int i = 1; i <= 5; i++) apply(m, i, new KvCommand.Put("c" + i, 1, "k", b("v" + i)));
        apply(m, 6, new KvCommand.Put("c1", 2, "k", b("again"))); // too late: c1 was dropped at index 4
        assertThat(m.store().meta().sessionCount()).isEqualTo(3);
        assertThat(m.store().session("c2")).isNull();
        assertThat(m.store().session("c3")).isNull();
        assertThat(m.store().session("c1").seq()).isEqualTo(2);
        assertThat(m.store().session("c5")).isNotNull();
        KvStateMachine bytes = new KvStateMachine(store(kind), new SessionPolicy(Long.MAX_VALUE / 2, 100, 500));
        for (int i = 1; i <= 20; i++) apply(bytes, i, new KvCommand.Put("client-" + i, 1, "k", b("v")));
        assertThat(bytes.store().meta().sessionBytes()).isLessThanOrEqualTo(500);
        assertThat(bytes.store().session("client-20")).isNotNull();
        m.close();
        bytes.close();
    }

    @Test
    void anOverlongClientIdIsRefusedBeforeTheLog() {
        String id = "x".repeat(KvLimits.MAX_CLIENT_ID_BYTES + 1);
        assertThatThrownBy(() -> KvLimits.DEFAULT.check(new KvCommand.Put(id, 1, "k", b("v"))))
                .isInstanceOfSatisfying(KvLimits.Violation.class, v -> assertThat(v.tooLarge()).isFalse())
                .hasMessageContaining("client id has 129 bytes; the limit is 128");
        KvLimits.DEFAULT.check(new KvCommand.Put("é".repeat(KvLimits.MAX_CLIENT_ID_BYTES / 2), 1, "k", b("v")));
    }

    @Test
    void commandsAreLengthPrefixedUtf8WithAVersionAndOtherVersionsAreRefused() {
        String huge = "\uD83D\uDE00".repeat(20_000); // 80,000 bytes of emoji: past writeUTF's 64 KiB ceiling
        KvCommand c = new KvCommand.Cas(huge, 7, huge, null, b("v"));
        KvCodec.Entry e = KvCodec.decode(KvCodec.encode(c, 42));
        assertThat(e.proposedAtMillis()).isEqualTo(42);
        assertThat(e.command().clientId()).isEqualTo(huge);
        assertThat(((KvCommand.Cas) e.command()).key()).isEqualTo(huge);
        byte[] bytes = KvCodec.encode(c);
        assertThat(bytes[0]).isEqualTo((byte) KvCodec.COMMAND_FORMAT);
        bytes[0] = 9;
        assertThatThrownBy(() -> KvCodec.decode(bytes)).hasMessage("command format 9 is not supported (this build reads 4)");
        bytes[0] = 1; // the first layout began with the tag: a put
        assertThatThrownBy(() -> KvCodec.decode(bytes)).hasMessageContaining("first, unversioned layout");
        byte[] cut = java.util.Arrays.copyOf(KvCodec.encode(c), 30);
        assertThatThrownBy(() -> KvCodec.decode(cut)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void limitsRefuseOversizedOrMalformedRequests() {
        KvLimits limits = new KvLimits(8, 4);
        limits.check(new KvCommand.Put("c", 1, "key", b("1234")));
        assertThatThrownBy(() -> limits.check(new KvCommand.Put("c", 1, "key", b("12345"))))
                .isInstanceOfSatisfying(KvLimits.Violation.class, v -> assertThat(v.tooLarge()).isTrue())
                .hasMessageContaining("limit is 4");
        assertThatThrownBy(() -> limits.checkKey("123456789"))
                .isInstanceOfSatisfying(KvLimits.Violation.class, v -> assertThat(v.tooLarge()).isTrue());
        assertThatThrownBy(() -> limits.checkKey(""))
                .isInstanceOfSatisfying(KvLimits.Violation.class, v -> assertThat(v.tooLarge()).isFalse());
        assertThatThrownBy(() -> limits.checkKey("a\nb")).hasMessageContaining("control character");
    }
}
