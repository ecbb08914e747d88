package dev.raftkv.check;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;

/**
 * Lowe's cache: the configurations (ops done, register state) the search has entered. Entering one again cannot
 * lead anywhere new.
 *
 * <p>With {@code subsume}, neither can entering one that differs from a configuration explored in vain only by having
 * more optional ops done: every continuation from it was open to the smaller one too, which could linearize those
 * ops next or leave them out. Only finished explorations count: an unfinished one is on the current path, which may
 * have to pass through the larger configuration, e.g. to leave an optional op out.
 */
final class ExploredConfigurations {

    private final RegisterHistory history;
    private final boolean subsume;
    private final BitSet requiredDone = new BitSet();
    private final BitSet optionalDone = new BitSet();
    private final Map<Key, Collection<Visit>> seen = new HashMap<>();

    ExploredConfigurations(RegisterHistory history, boolean subsume) {
        this.history = history;
        this.subsume = subsume;
    }

    boolean isDone(int op) {
        return doneSet(op).get(op);
    }

    /** Marks {@code op} done, leaving {@code state}; null (and unmarked) if that needs no exploring. */
    Visit enter(int op, int state) {
        doneSet(op).set(op);
        Collection<Visit> visits = seen.get(new Key(requiredDone, state));
        if (visits == null) {
            visits = subsume ? new ArrayList<>(1) : new HashSet<>(2);
            seen.put(new Key((BitSet) requiredDone.clone(), state), visits);
        }
        boolean known = subsume
                ? visits.stream().anyMatch(v -> v.finished && isSubset(v.optionalDone, optionalDone))
                : visits.contains(new Visit(optionalDone, visits));
        if (known) {
            doneSet(op).clear(op);
            return null;
        }
        Visit visit = new Visit((BitSet) optionalDone.clone(), visits);
        visits.add(visit);
        return visit;
    }

    /** Undoes {@link #enter}, after the configuration it entered has been explored in vain. */
    void leave(int op, Visit visit) {
        doneSet(op).clear(op);
        if (subsume) {
            visit.finished = true;
            visit.siblings.removeIf(v -> v != visit && v.finished && isSubset(visit.optionalDone, v.optionalDone));
        }
    }

    private BitSet doneSet(int op) {
        return history.isOptional(op) ? optionalDone : requiredDone;
    }

    private static boolean isSubset(BitSet a, BitSet b) {
        for (int i = a.nextSetBit(0); i >= 0; i = a.nextSetBit(i + 1)) {
            if (!b.get(i)) {
                return false;
            }
        }
        return true;
    }

    /** The optional ops done in one entered configuration; equality ignores the bookkeeping. */
    static final class Visit {
        final BitSet optionalDone;
        final Collection<Visit> siblings;
        boolean finished;

        Visit(BitSet optionalDone, Collection<Visit> siblings) {
            this.optionalDone = optionalDone;
            this.siblings = siblings;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Visit v && v.optionalDone.equals(optionalDone);
        }

        @Override
        public int hashCode() {
            return optionalDone.hashCode();
        }
    }

    /** The required ops done and the state; kept apart from optional ops so that subsumption can be checked. */
    private static final class Key {
        private final BitSet done;
        private final int state;
        private final int hash;

        Key(BitSet done, int state) {
            this.done = done;
            this.state = state;
            this.hash = done.hashCode() * 31 + state;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.hash == hash && k.state == state && k.done.equals(done);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }
}
