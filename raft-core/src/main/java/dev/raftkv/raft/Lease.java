package dev.raftkv.raft;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A leader's read lease (Raft dissertation 6.4.1), counted in the leader's own ticks. Each heartbeat
 * round is numbered and remembers the tick it was sent in; a follower's ack of round s proves that it
 * heard from us no earlier than that tick, so it will refuse votes (leader stickiness) for an election
 * timeout from then. Once a quorum's latest acked rounds are recent enough, no other leader can exist
 * yet, and reads may be answered from the commit index without another round.
 *
 * <p>The anchor is the send tick, never the ack's arrival: the follower's timer started when the
 * heartbeat arrived, which may be long before its ack reaches us. A leadership transfer ends the lease
 * for the rest of the term, because a TimeoutNow election ignores stickiness.
 */
final class Lease {
    private static final long NEVER = Long.MIN_VALUE / 2;

    /** Round number to the tick it was sent in; rounds too old to give a lease are forgotten. */
    private final TreeMap<Long, Long> roundsSent = new TreeMap<>();
    /** Per peer, the send tick of the latest round it acked. */
    private final Map<String, Long> ackedSentTick = new HashMap<>();
    private final int leaseTicks;
    private boolean revoked;

    Lease(int leaseTicks) {
        this.leaseTicks = leaseTicks;
    }

    void roundSent(long round, long tick) {
        roundsSent.put(round, tick);
        while (!roundsSent.isEmpty() && roundsSent.firstEntry().getValue() + leaseTicks <= tick) roundsSent.pollFirstEntry();
    }

    /** {@code peer} answered heartbeat round {@code round}; {@code fromArrival} is the LEASE_FROM_ACK bug. */
    void acked(String peer, long round, long now, boolean fromArrival) {
        Long sent = fromArrival ? Long.valueOf(now) : roundsSent.get(round);
        if (sent != null) ackedSentTick.merge(peer, sent, Math::max);
    }

    /** No more lease reads in this term (a TimeoutNow went out). */
    void revoke() {
        revoked = true;
    }

    /** True if, at {@code now}, a quorum of {@code voters} (we count as hearing ourselves now) backs the lease. */
    boolean holds(Set<String> voters, String self, long now) {
        if (revoked || leaseTicks <= 0) return false;
        long anchor = Quorum.committedIndex(voters, p -> p.equals(self) ? now : ackedSentTick.getOrDefault(p, NEVER));
        return now < anchor + leaseTicks;
    }
}
