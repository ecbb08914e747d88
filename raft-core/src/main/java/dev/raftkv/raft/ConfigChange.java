package dev.raftkv.raft;

/**
 * One single-server membership change (Raft dissertation, chapter 4): the cluster moves one member at a
 * time, so any majority of the old voters overlaps any majority of the new ones. {@code endpoint} is
 * the application's address text for the new member, carried to every node in the config entry.
 */
public sealed interface ConfigChange {
    String id();

    /** A new member that receives the log but neither votes nor counts towards commitment. */
    record AddLearner(String id, String endpoint) implements ConfigChange {
    }

    /** A new voter at once (the classic change); adding a learner and promoting it never stalls commits. */
    record AddVoter(String id, String endpoint) implements ConfigChange {
    }

    /**
     * Makes a learner a voter, only if its log is within {@code maxLagEntries} of the leader's, so that
     * the new majority can commit straight away.
     */
    record Promote(String id, long maxLagEntries) implements ConfigChange {
    }

    record Remove(String id) implements ConfigChange {
    }

    /**
     * A member's endpoint, replaced; voters and learners stay as they are. Each node publishes its own once it
     * runs (it alone knows where it serves clients), as etcd members publish their client URLs through the log.
     */
    record SetEndpoint(String id, String endpoint) implements ConfigChange {
        public SetEndpoint {
            if (endpoint == null) throw new IllegalArgumentException("an endpoint is needed");
        }
    }

    /**
     * The config after this change, or throws with the reason the change makes no sense for {@code c}.
     */
    default ClusterConfig applyTo(ClusterConfig c) {
        if (this instanceof AddLearner a) {
            if (c.contains(a.id())) throw new IllegalArgumentException(a.id() + " is already a member");
            return c.withLearner(a.id(), a.endpoint());
        }
        if (this instanceof AddVoter a) {
            if (c.isVoter(a.id())) throw new IllegalArgumentException(a.id() + " is already a voter");
            if (c.isLearner(a.id())) throw new IllegalArgumentException(a.id() + " is a learner: promote it instead");
            return c.withVoter(a.id(), a.endpoint());
        }
        if (this instanceof Promote p) {
            if (c.isVoter(p.id())) throw new IllegalArgumentException(p.id() + " is already a voter");
            if (!c.isLearner(p.id())) throw new UnknownMemberException(p.id());
            return c.withVoter(p.id(), c.endpoint(p.id()));
        }
        if (this instanceof SetEndpoint e) {
            if (!c.contains(e.id())) throw new UnknownMemberException(e.id());
            return c.withEndpointOf(e.id(), e.endpoint());
        }
        Remove r = (Remove) this;
        if (!c.contains(r.id())) throw new UnknownMemberException(r.id());
        if (c.voters().equals(java.util.Set.of(r.id()))) {
            throw new IllegalArgumentException("cannot remove " + r.id() + ": it is the last voter");
        }
        return c.without(r.id());
    }
}
