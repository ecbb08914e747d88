package dev.raftkv.kv;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KvStateMachineTest {
    private static byte[] b(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    private static Object apply(KvStateMachine m, long index, KvCommand c) {
        return m.apply(index, KvCodec.encode(c));
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
        assertThat(apply(m, 4, new KvCommand.Delete("c", 4, "k"))).isEqualTo(new KvResult.Deleted(true));
        assertThat(apply(m, 5, new KvCommand.Delete("c", 5, "k"))).isEqualTo(new KvResult.Deleted(false));
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
        assertThat(retried).isSameAs(first);
        assertThat(get(m, "k")).isEqualTo("a"); // the retry did not swap again
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
