package dev.raftkv.sim;

import dev.raftkv.kv.KvResult;
import dev.raftkv.kv.KvStateMachine;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the bank held at each revision, by the log itself: a correct machine of its own applies every entry once,
 * the first time any node applies it, and keeps the bank's page after each change. A range any node answers
 * at revision R must be exactly this page at R: the same keys, values and mod revisions, no key missing or added.
 */
final class BankReference {
    private final KvStateMachine machine = new KvStateMachine();
    /** Revision to the bank's page from that revision on. */
    private final TreeMap<Long, List<KvResult.Item>> pages = new TreeMap<>(Map.of(0L, List.of()));

    void applied(long index, byte[] command) {
        machine.apply(index, command);
        machine.endBatch(index);
        List<KvResult.Item> now = ((KvResult.Page) machine.query(SimBank.query())).items();
        if (!same(now, pages.lastEntry().getValue())) pages.put(index, now);
    }

    /** Why {@code page} is not the bank at its revision, or null if it is. */
    String mismatch(KvResult.Page page) {
        List<KvResult.Item> expected = pages.floorEntry(page.revision()).getValue();
        if (same(page.items(), expected)) return null;
        return "the range at revision " + page.revision() + " holds " + describe(page.items()) + ", the log says " + describe(expected);
    }

    private static boolean same(List<KvResult.Item> a, List<KvResult.Item> b) {
        if (a.size() != b.size()) return false;
        for (int i = 0; i < a.size(); i++) {
            KvResult.Item x = a.get(i);
            KvResult.Item y = b.get(i);
            if (!Arrays.equals(x.key(), y.key()) || !Arrays.equals(x.value(), y.value()) || x.modRevision() != y.modRevision()) return false;
        }
        return true;
    }

    static String describe(List<KvResult.Item> items) {
        StringBuilder sb = new StringBuilder("[");
        for (KvResult.Item i : items) {
            if (sb.length() > 1) sb.append(' ');
            sb.append(new String(i.key(), java.nio.charset.StandardCharsets.UTF_8)).append('=')
                    .append(new String(i.value(), java.nio.charset.StandardCharsets.UTF_8)).append('@').append(i.modRevision());
        }
        return sb.append(']').toString();
    }
}
