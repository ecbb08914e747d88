package dev.raftkv.kv;

import dev.raftkv.kv.store.KvStore;
import dev.raftkv.kv.store.Versioned;

import java.util.ArrayList;
import java.util.List;

/** Cuts a page out of a range's entries: at most a limit of keys, within a read budget. */
final class Pages {
    private Pages() {
    }

    /**
     * The first entries, up to {@code limit} and while {@code budget} allows; the first entry is taken whatever its
     * size unless the budget is spent already (then the page is empty and says where to go on), so that a value of
     * the largest size can always be read. {@code next} is the key the following page starts at.
     */
    static KvResult.Page page(KvStore.Cursor<KvStore.Entry> entries, int limit, boolean keysOnly, ReadBudget budget, long revision) {
        List<KvResult.Item> items = new ArrayList<>();
        while (entries.hasNext()) {
            KvStore.Entry e = entries.next();
            Versioned v = e.value();
            long bytes = e.key().length + (keysOnly ? 0 : v.value().length);
            boolean fits = items.isEmpty() ? budget.allows(1) : budget.allows(bytes);
            if (items.size() == limit || !fits) return new KvResult.Page(items, e.key(), revision);
            budget.spend(bytes);
            items.add(new KvResult.Item(e.key(), keysOnly ? null : v.value(), v.createRevision(), v.modRevision(), v.version()));
        }
        return new KvResult.Page(items, null, revision);
    }
}
