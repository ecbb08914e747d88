package dev.raftkv.kv.store;

import java.nio.file.Path;

class MemoryKvStoreTest extends KvStoreContract {
    @Override
    KvStore create(Path home) {
        return new MemoryKvStore();
    }
}
