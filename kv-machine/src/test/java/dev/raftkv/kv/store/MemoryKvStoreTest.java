package dev.raftkv.kv.store;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class MemoryKvStoreTest extends KvStoreContract {
    @Override
    KvStore create(Path home) {
        return new MemoryKvStore();
    }

    @Test
    void itSaysItIsFullOnceItsKeysAndValuesTakeHalfTheHeapAndNotBefore() {
        MemoryKvStore store = new MemoryKvStore();
        KvBatch batch = batch(1);
        for (int i = 0; i < 1000; i++) batch.put(b("key-" + i), new Versioned(new byte[1000], 1, 1, 1));
        store.write(batch);
        long held = store.approximateBytes();
        assertThat(held).isBetween(1_000_000L, 1_200_000L);
        assertThat(store.fullness(3 * held)).isNull();
        assertThat(store.fullness(2 * held - 2)).contains("the memory store is full").contains("--store rocksdb");
        KvBatch deletes = batch(2);
        for (int i = 0; i < 600; i++) deletes.delete(b("key-" + i));
        store.write(deletes);
        assertThat(store.fullness(2 * held - 2)).as("deletes make room again").isNull();
    }
}
