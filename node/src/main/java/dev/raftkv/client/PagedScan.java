package dev.raftkv.client;

import dev.raftkv.kv.KeyRange;
import dev.raftkv.kv.KvResult;
import dev.raftkv.raft.server.NotAppliedException;

import java.util.Collections;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;

/**
 * A range walked one page at a time: a page is asked for only when the one before it is used up, from where that
 * one said the range goes on, so a walk over any number of keys holds one page. Each page is its own read and may
 * reflect a later revision than the one before it. A failed page ends the walk with that page's error (the
 * client's own: {@link NotAppliedException}, {@link dev.raftkv.kv.KvLimits.Violation}, ...).
 */
final class PagedScan implements Iterator<KvResult.Item> {
    private final Function<KeyRange, CompletableFuture<KvResult.Page>> fetch;
    /** What is left to ask for; null once a page said it ended the range. */
    private KeyRange rest;
    private Iterator<KvResult.Item> page = Collections.emptyIterator();

    /** @param fetch one page of a range; it settles within the client's timeout, so waiting for it is bounded */
    PagedScan(KeyRange range, Function<KeyRange, CompletableFuture<KvResult.Page>> fetch) {
        this.rest = range;
        this.fetch = fetch;
    }

    @Override
    public boolean hasNext() {
        // a loop, not an if: a page may come back empty and still say where to go on
        while (!page.hasNext() && rest != null) {
            KvResult.Page p = await(fetch.apply(rest));
            page = p.items().iterator();
            rest = p.next() == null ? null : rest.from(p.next());
        }
        return page.hasNext();
    }

    @Override
    public KvResult.Item next() {
        if (!hasNext()) throw new NoSuchElementException("the range has no more keys");
        return page.next();
    }

    private static KvResult.Page await(CompletableFuture<KvResult.Page> f) {
        try {
            return f.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw e;
        }
    }
}
