package dev.raftkv.sim;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;

/**
 * Links between nodes in virtual time: each message may be dropped, duplicated and delayed by a random
 * amount (so reordered). A partition assigns nodes to groups; only nodes in the same group can talk.
 * The partition is checked when a message is sent and again when it arrives: a cut also loses what
 * was on the wire.
 */
final class SimNetwork {
    /** Loss, duplication and delay of this run. */
    record Conditions(double dropRate, double duplicateRate, int minDelayMillis, int maxDelayMillis) {
    }

    private final Random random;
    private final Conditions conditions;
    private final Map<String, Integer> groupOf = new HashMap<>();
    /** A node that still talks to every group (a bridge partition), or null. */
    private String bridge;

    SimNetwork(Random random, Conditions conditions) {
        this.random = random;
        this.conditions = conditions;
    }

    Conditions conditions() {
        return conditions;
    }

    void partition(Map<String, Integer> groups) {
        groupOf.clear();
        groupOf.putAll(groups);
        bridge = null;
    }

    /** Groups that cannot see each other, except through {@code bridgeNode}, which sees everyone. */
    void bridge(Map<String, Integer> groups, String bridgeNode) {
        partition(groups);
        bridge = bridgeNode;
    }

    void heal() {
        groupOf.clear();
        bridge = null;
    }

    boolean connected(String a, String b) {
        if (a.equals(bridge) || b.equals(bridge)) return true;
        return groupOf.getOrDefault(a, 0).equals(groupOf.getOrDefault(b, 0));
    }

    boolean isPartitioned() {
        return groupOf.values().stream().distinct().count() > 1;
    }

    /** How many copies of a message arrive (0, 1 or 2), and after what delays. */
    long[] deliveries(String from, String to) {
        if (!connected(from, to) || random.nextDouble() < conditions.dropRate()) return new long[0];
        long first = delay();
        if (random.nextDouble() < conditions.duplicateRate()) return new long[]{first, delay()};
        return new long[]{first};
    }

    private long delay() {
        return conditions.minDelayMillis() + random.nextInt(conditions.maxDelayMillis() - conditions.minDelayMillis() + 1);
    }
}
