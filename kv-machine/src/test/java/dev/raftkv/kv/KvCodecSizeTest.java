package dev.raftkv.kv;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The longest command the limits allow is exactly what {@link KvCodec#maxCommandBytes} says. */
class KvCodecSizeTest {
    @Test
    void aCompareAndSetAtEveryLimitIsTheLongestCommand() {
        KvLimits limits = new KvLimits(100, 3000);
        String client = "c".repeat(KvLimits.MAX_CLIENT_ID_BYTES);
        String key = "é".repeat(50); // 100 UTF-8 bytes
        byte[] value = new byte[limits.maxValueBytes()];
        limits.check(new KvCommand.Cas(client, 1, key, value, value));
        byte[] cas = KvCodec.encode(new KvCommand.Cas(client, Long.MAX_VALUE, key, value, value), Long.MAX_VALUE);
        byte[] put = KvCodec.encode(new KvCommand.Put(client, 1, key, value), 1);
        assertThat((long) cas.length).isEqualTo(KvCodec.maxCommandBytes(limits));
        assertThat((long) put.length).isLessThan(KvCodec.maxCommandBytes(limits));
    }
}
