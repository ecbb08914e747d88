package dev.raftkv.kv;

import dev.raftkv.kv.store.KvBatch;
import dev.raftkv.kv.store.KvStore;
import dev.raftkv.kv.store.Versioned;

import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NoSuchElementException;

/**
 * The keys of a range as the batch being applied leaves them: the store's keys merged in order with the
 * batch's changes, a change winning over the stored key, a deletion (of the key or of a range holding it)
 * hiding it. How a transaction's range and delete-range see the operations before them in the same log batch.
 */
final class BatchScan implements KvStore.Cursor<KvStore.Entry> {
    private static final KvStore.Cursor<KvStore.Entry> NONE = new KvStore.Cursor<>() {
        @Override
        public boolean hasNext() {
            return false;
        }

        @Override
        public KvStore.Entry next() {
            throw new NoSuchElementException();
        }

        @Override
        public void close() {
        }
    };
    private final KvStore.Cursor<KvStore.Entry> stored;
    private final Iterator<Map.Entry<byte[], Versioned>> changes;
    private final KvBatch batch;
    private KvStore.Entry nextStored;
    private Map.Entry<byte[], Versioned> nextChange;
    private KvStore.Entry next;

    BatchScan(KvStore store, KvBatch batch, KeyRange range) {
        this.batch = batch;
        // a range whose end is not after its start holds nothing (and a sub-map of it would throw)
        this.stored = range.isEmpty() ? NONE : store.scan(range.start(), range.end());
        NavigableMap<byte[], Versioned> tail = batch.data().tailMap(range.start(), true);
        this.changes = range.isEmpty() ? Collections.emptyIterator()
                : (range.end() == null ? tail : tail.headMap(range.end(), false)).entrySet().iterator();
        nextStored = nextStored();
        nextChange = changes.hasNext() ? changes.next() : null;
        advance();
    }

    /** The store's next key that no range of the batch deleted. */
    private KvStore.Entry nextStored() {
        while (stored.hasNext()) {
            KvStore.Entry e = stored.next();
            if (!batch.inDeletedRange(e.key())) return e;
        }
        return null;
    }

    private void advance() {
        next = null;
        while (next == null && (nextStored != null || nextChange != null)) {
            int c = nextStored == null ? 1 : nextChange == null ? -1 : Arrays.compareUnsigned(nextStored.key(), nextChange.getKey());
            if (c < 0) {
                next = nextStored;
                nextStored = nextStored();
            } else {
                if (nextChange.getValue() != null) next = new KvStore.Entry(nextChange.getKey(), nextChange.getValue());
                if (c == 0) nextStored = nextStored();
                nextChange = changes.hasNext() ? changes.next() : null;
            }
        }
    }

    @Override
    public boolean hasNext() {
        return next != null;
    }

    @Override
    public KvStore.Entry next() {
        if (next == null) throw new NoSuchElementException();
        KvStore.Entry e = next;
        advance();
        return e;
    }

    @Override
    public void close() {
        stored.close();
    }
}
