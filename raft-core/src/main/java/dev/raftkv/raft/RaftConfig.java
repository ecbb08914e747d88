package dev.raftkv.raft;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * Tunables of one node. Times are in ticks; the driver decides how long a tick is.
 *
 * @param electionTicks   a follower that hears no leader for a random time in [electionTicks, 2*electionTicks)
 *                        campaigns; a leader that has not heard from a quorum for electionTicks steps down
 * @param heartbeatTicks  how often a leader sends heartbeats
 * @param maxInflight     AppendEntries messages in flight per follower before the leader waits for acks
 * @param maxEntriesPerMessage  entries in one AppendEntries
 * @param bugs            deliberate bugs for checker controls; empty in production
 * @param maxClockDriftPercent  how far (in percent of real time) any node's tick rate may stray from the
 *                        nominal one; lease reads are safe only within this bound, see {@link #leaseTicks()}
 * @param maxBytesPerMessage    entry bytes ({@link Entry#sizeBytes()}) in one AppendEntries: entries are added while
 *                        they fit, but one always goes, however large (etcd's MaxSizePerMsg). The transport must
 *                        carry this much and the largest entry in one frame; the node checks both at start
 * @param maxInflightBytes      entry bytes in flight per follower before the leader waits for acks, on top of
 *                        {@code maxInflight} messages: the window is full when either bound is reached
 */
public record RaftConfig(String id, int electionTicks, int heartbeatTicks, int maxInflight,
                         int maxEntriesPerMessage, Set<InjectedBug> bugs, int maxClockDriftPercent,
                         long maxBytesPerMessage, long maxInflightBytes) {
    /** Lease reads stay correct while every clock runs between 0.9x and 1.1x real time. */
    public static final int DEFAULT_MAX_CLOCK_DRIFT_PERCENT = 10;
    /**
     * 1 MiB per AppendEntries, as etcd's default: a sixteenth of what the Netty transport carries in one
     * frame, and a 1 MiB value (the default largest) goes alone.
     */
    public static final long DEFAULT_MAX_BYTES_PER_MESSAGE = 1024 * 1024;
    /**
     * 4 MiB in flight per follower: with one message over it at most, below the transport's 8 MiB send
     * buffer per peer (above that it drops messages), so catching up never outruns the connection.
     */
    public static final long DEFAULT_MAX_INFLIGHT_BYTES = 4 * 1024 * 1024;

    public RaftConfig {
        Objects.requireNonNull(id, "id");
        if (heartbeatTicks < 1 || electionTicks <= heartbeatTicks) {
            throw new IllegalArgumentException("need 1 <= heartbeatTicks < electionTicks, got "
                    + heartbeatTicks + " and " + electionTicks);
        }
        if (maxInflight < 1 || maxEntriesPerMessage < 1) {
            throw new IllegalArgumentException("maxInflight and maxEntriesPerMessage must be positive");
        }
        if (maxClockDriftPercent < 0 || maxClockDriftPercent >= 100) {
            throw new IllegalArgumentException("maxClockDriftPercent must be in [0, 100), got " + maxClockDriftPercent);
        }
        if (maxBytesPerMessage < 1 || maxInflightBytes < 1) {
            throw new IllegalArgumentException("maxBytesPerMessage and maxInflightBytes must be positive, got "
                    + maxBytesPerMessage + " and " + maxInflightBytes);
        }
        bugs = bugs.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(bugs));
    }

    public RaftConfig(String id, int electionTicks, int heartbeatTicks, int maxInflight, int maxEntriesPerMessage,
                      Set<InjectedBug> bugs, int maxClockDriftPercent) {
        this(id, electionTicks, heartbeatTicks, maxInflight, maxEntriesPerMessage, bugs, maxClockDriftPercent,
                DEFAULT_MAX_BYTES_PER_MESSAGE, DEFAULT_MAX_INFLIGHT_BYTES);
    }

    public RaftConfig(String id, int electionTicks, int heartbeatTicks, int maxInflight, int maxEntriesPerMessage,
                      Set<InjectedBug> bugs) {
        this(id, electionTicks, heartbeatTicks, maxInflight, maxEntriesPerMessage, bugs, DEFAULT_MAX_CLOCK_DRIFT_PERCENT);
    }

    public static RaftConfig defaults(String id) {
        return new RaftConfig(id, 10, 1, 64, 256, Set.of());
    }

    public RaftConfig withBugs(Set<InjectedBug> newBugs) {
        return new RaftConfig(id, electionTicks, heartbeatTicks, maxInflight, maxEntriesPerMessage, newBugs,
                maxClockDriftPercent, maxBytesPerMessage, maxInflightBytes);
    }

    public RaftConfig withMaxEntriesPerMessage(int n) {
        return new RaftConfig(id, electionTicks, heartbeatTicks, maxInflight, n, bugs, maxClockDriftPercent,
                maxBytesPerMessage, maxInflightBytes);
    }

    public RaftConfig withMaxClockDriftPercent(int percent) {
        return new RaftConfig(id, electionTicks, heartbeatTicks, maxInflight, maxEntriesPerMessage, bugs, percent,
                maxBytesPerMessage, maxInflightBytes);
    }

    /** The same settings with other byte budgets for AppendEntries and the in-flight window. */
    public RaftConfig withByteBudgets(long perMessage, long inflight) {
        return new RaftConfig(id, electionTicks, heartbeatTicks, maxInflight, maxEntriesPerMessage, bugs,
                maxClockDriftPercent, perMessage, inflight);
    }

    /** The same settings for another node. */
    public RaftConfig withId(String newId) {
        return new RaftConfig(newId, electionTicks, heartbeatTicks, maxInflight, maxEntriesPerMessage, bugs,
                maxClockDriftPercent, maxBytesPerMessage, maxInflightBytes);
    }

    public boolean has(InjectedBug bug) {
        return bugs.contains(bug);
    }

    /**
     * How many of its own ticks a leader may serve reads from its lease after sending a heartbeat round
     * that a quorum acknowledged (0: never). A follower that answered the round refuses votes until it
     * has counted {@code electionTicks} of its own ticks, which takes more than {@code electionTicks - 1}
     * tick lengths of its clock (its first tick may come right after the heartbeat). With every clock
     * within ±ρ of real time, a slow leader's L ticks last at most L/(1-ρ) and a fast follower's
     * E-1 ticks at least (E-1)/(1+ρ), so L = floor((E-1)(1-ρ)/(1+ρ)) ends before any other leader
     * can be elected. With E = 10 and ρ = 10%: 7 ticks.
     */
    public int leaseTicks() {
        if (has(InjectedBug.LEASE_NO_MARGIN)) return electionTicks;
        return (int) ((long) (electionTicks - 1) * (100 - maxClockDriftPercent) / (100 + maxClockDriftPercent));
    }
}
