package dev.raftkv.sim;

import dev.raftkv.raft.Message;
import dev.raftkv.transport.RaftCodec;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;

/**
 * Links between nodes in virtual time: each message may be dropped, duplicated and delayed by a random
 * amount (so reordered). A partition assigns nodes to groups; only nodes in the same group can talk.
 * The partition is checked when a message is sent and again when it arrives: a cut also loses what
 * was on the wire. Frames have the real transport's limits, scaled down: a message the Netty transport would
 * refuse to encode (too much entry data, too long a frame) is refused here, the same way, every time.
 */
final class SimNetwork {
    /** Loss, duplication and delay of this run. */
    record Conditions(double dropRate, double duplicateRate, int minDelayMillis, int maxDelayMillis) {
    }

    private final Random random;
    private final Conditions conditions;
    private final RaftCodec codec;
    private final int maxFrameBytes;
    private final Map<String, Integer> groupOf = new HashMap<>();
    /**
     * Connections "from->to" that look up to their sender but deliver nothing: the receiver restarted and the
     * sender's socket to its old incarnation never closed (seen over Netty). It ends when the sender reconnects
     * ({@link #reconnected}, told by its core), when it restarts itself ({@link #restarted}), or once the
     * receiver is up again and can reach the sender: its new incarnation dials the sender, whose transport
     * then drops the old connection (NettyTransport's incarnations). Healing alone does not end it. The value
     * says whether the receiver is up again, so that its dial is pending.
     */
    private final Map<String, Boolean> stale = new HashMap<>();
    /** A node that still talks to every group (a bridge partition), or null. */
    private String bridge;
    private boolean keepStale;

    /** @param maxEntryBytes entry data one AppendEntries may carry, and {@code maxFrameBytes} the frame, as in TransportOptions */
    SimNetwork(Random random, Conditions conditions, int maxEntryBytes, int maxFrameBytes) {
        this.random = random;
        this.conditions = conditions;
        this.codec = new RaftCodec(maxEntryBytes);
        this.maxFrameBytes = maxFrameBytes;
    }

    /** Why the real transport would refuse to send {@code m} (it logs and drops it), or null if it would send it. */
    String refusal(Message m) {
        return codec.refusal(m, maxFrameBytes);
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

    /** Every connection of the others to {@code node} goes stale (see {@link #stale}). */
    void staleConnectionsTo(String node, java.util.Collection<String> others) {
        for (String o : others) if (!o.equals(node)) stale.put(o + "->" + node, false);
    }

    /** {@code from} dialed {@code to} again: its connection is fresh. True if it was stale. */
    boolean reconnected(String from, String to) {
        return stale.remove(from + "->" + to) != null;
    }

    /** A restarted node dials everyone afresh, and its new incarnation will dial those who hold stale connections to it. */
    void restarted(String node) {
        stale.keySet().removeIf(link -> link.startsWith(node + "->"));
        stale.replaceAll((link, pending) -> pending || link.endsWith("->" + node));
    }

    /** With {@code keepStale}, a new incarnation's dial does not end the stale connections to it (the control). */
    void keepStaleConnections(boolean keepStale) {
        this.keepStale = keepStale;
    }

    /** How many copies of a message arrive (0, 1 or 2), and after what delays. */
    long[] deliveries(String from, String to) {
        String link = from + "->" + to;
        if (stale.containsKey(link)) {
            if (keepStale || !stale.get(link) || !connected(from, to)) return new long[0];
            stale.remove(link); // the receiver's new incarnation got through to the sender
        }
        if (!connected(from, to) || random.nextDouble() < conditions.dropRate()) return new long[0];
        long first = delay();
        if (random.nextDouble() < conditions.duplicateRate()) return new long[]{first, delay()};
        return new long[]{first};
    }

    private long delay() {
        return conditions.minDelayMillis() + random.nextInt(conditions.maxDelayMillis() - conditions.minDelayMillis() + 1);
    }
}
