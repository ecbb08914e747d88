package dev.raftkv.raft;

import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The membership the core reads: voters decide elections and commitment; learners only receive the log.
 * {@code endpoints} says how to reach each member, in a form only the application reads (the core
 * carries it in config entries and snapshots so that every node learns a new member's address from
 * the log). A value: a membership change makes a new one.
 *
 * <p>A config with no voters is what a node knows before it joined a cluster: it never campaigns.
 */
public record ClusterConfig(Set<String> voters, Set<String> learners, Map<String, String> endpoints) {
    public static final ClusterConfig NONE = new ClusterConfig(Set.of(), Set.of());

    public ClusterConfig {
        // sorted, so that iterating members (and so every message order and trace) is the same on every run
        voters = sorted(voters);
        learners = sorted(learners);
        for (String l : learners) {
            if (voters.contains(l)) throw new IllegalArgumentException(l + " is both voter and learner");
        }
        SortedMap<String, String> ends = new TreeMap<>(endpoints);
        for (String id : ends.keySet()) {
            if (!voters.contains(id) && !learners.contains(id)) {
                throw new IllegalArgumentException("an endpoint for " + id + ", who is not a member");
            }
        }
        endpoints = Collections.unmodifiableSortedMap(ends);
    }

    public ClusterConfig(Set<String> voters, Set<String> learners) {
        this(voters, learners, Map.of());
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

    public boolean isLearner(String id) {
        return learners.contains(id);
    }

    public boolean contains(String id) {
        return voters.contains(id) || learners.contains(id);
    }

    /** How to reach {@code id}, or null if the config does not say. */
    public String endpoint(String id) {
        return endpoints.get(id);
    }

    /** Everyone the leader replicates to, sorted so iteration order (and so every trace) is deterministic. */
    public TreeSet<String> members() {
        TreeSet<String> all = new TreeSet<>(voters);
        all.addAll(learners);
        return all;
    }

    ClusterConfig withVoter(String id, String endpoint) {
        Set<String> v = new TreeSet<>(voters);
        v.add(id);
        Set<String> l = new TreeSet<>(learners);
        l.remove(id);
        return new ClusterConfig(v, l, withEndpoint(id, endpoint));
    }

    ClusterConfig withLearner(String id, String endpoint) {
        Set<String> l = new TreeSet<>(learners);
        l.add(id);
        return new ClusterConfig(voters, l, withEndpoint(id, endpoint));
    }

    /** The same members, with {@code id}'s endpoint replaced. */
    ClusterConfig withEndpointOf(String id, String endpoint) {
        return new ClusterConfig(voters, learners, withEndpoint(id, endpoint));
    }

    ClusterConfig without(String id) {
        Set<String> v = new TreeSet<>(voters);
        v.remove(id);
        Set<String> l = new TreeSet<>(learners);
        l.remove(id);
        Map<String, String> e = new TreeMap<>(endpoints);
        e.remove(id);
        return new ClusterConfig(v, l, e);
    }

    private Map<String, String> withEndpoint(String id, String endpoint) {
        Map<String, String> e = new TreeMap<>(endpoints);
        if (endpoint != null) e.put(id, endpoint);
        return e;
    }

    @Override
    public String toString() {
        return "voters=" + voters + (learners.isEmpty() ? "" : " learners=" + learners);
    }
}
