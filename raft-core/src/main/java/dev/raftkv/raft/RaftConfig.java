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
 */
public record RaftConfig(String id, int electionTicks, int heartbeatTicks, int maxInflight,
                         int maxEntriesPerMessage, Set<InjectedBug> bugs) {
    public RaftConfig {
        Objects.requireNonNull(id, "id");
        if (heartbeatTicks < 1 || electionTicks <= heartbeatTicks) {
            throw new IllegalArgumentException("need 1 <= heartbeatTicks < electionTicks, got "
                    + heartbeatTicks + " and " + electionTicks);
        }
        if (maxInflight < 1 || maxEntriesPerMessage < 1) {
            throw new IllegalArgumentException("maxInflight and maxEntriesPerMessage must be positive");
        }
        bugs = bugs.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(bugs));
    }

    public static RaftConfig defaults(String id) {
        return new RaftConfig(id, 10, 1, 64, 256, Set.of());
    }

    public RaftConfig withBugs(Set<InjectedBug> newBugs) {
        return new RaftConfig(id, electionTicks, heartbeatTicks, maxInflight, maxEntriesPerMessage, newBugs);
    }

    public RaftConfig withMaxEntriesPerMessage(int n) {
        return new RaftConfig(id, electionTicks, heartbeatTicks, maxInflight, n, bugs);
    }

    public boolean has(InjectedBug bug) {
        return bugs.contains(bug);
    }
}
