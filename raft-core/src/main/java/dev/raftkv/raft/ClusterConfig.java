package dev.raftkv.raft;

import java.util.Collections;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The membership the core reads: voters decide elections and commitment; learners only receive the log.
 * A value, so that membership changes (a later issue) replace it rather than mutate it.
 */
public record ClusterConfig(Set<String> voters, Set<String> learners) {
    public ClusterConfig {
        // sorted, so that iterating members (and so every message order and trace) is the same on every run
        voters = sorted(voters);
        learners = sorted(learners);
        if (voters.isEmpty()) throw new IllegalArgumentException("a cluster needs at least one voter");
        for (String l : learners) {
            if (voters.contains(l)) throw new IllegalArgumentException(l + " is both voter and learner");
        }
    }

    private static SortedSet<String> sorted(Set<String> ids) {
        return Collections.unmodifiableSortedSet(new TreeSet<>(ids));
    }

    public static ClusterConfig ofVoters(String... ids) {
        return new ClusterConfig(Set.of(ids), Set.of());
    }

    public boolean isVoter(String id) {
        return voters.contains(id);
    }

    public boolean contains(String id) {
        return voters.contains(id) || learners.contains(id);
    }

    /** Everyone the leader replicates to, sorted so iteration order (and so every trace) is deterministic. */
    public TreeSet<String> members() {
        TreeSet<String> all = new TreeSet<>(voters);
        all.addAll(learners);
        return all;
    }
}
