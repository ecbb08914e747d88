package dev.raftkv.raft;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Lease reads: when a leader may answer from its commit index without a heartbeat round, and the
 * timing argument that makes it safe (a lease ends before any follower that backed it would vote for
 * someone else, with every clock off by up to the configured drift). Each rule has its injected-bug
 * control.
 */
class LeaseReadTest {
    /** Default config: election timeout 10 ticks, drift ±10%, so the lease is 7 ticks. */
    private static ManualCluster leaderWithLease(InjectedBug... bugs) {
        ManualCluster c = new ManualCluster(3, RaftConfig.defaults("x").withBugs(Set.of(bugs)));
        c.campaign("n1");
        c.deliverAll();
        c.tickAll(2); // the no-op commits and a heartbeat round is acknowledged
        assertThat(c.leader()).isEqualTo("n1");
        return c;
    }

    /**
     * Asks {@code node} for a lease read and says whether it was answered at once (from the lease).
     * Whatever else the node wanted to send is lost.
     */
    private static boolean servedAtOnce(RaftNode node, long requestId) {
        node.leaseRead(requestId);
        return node.ready().reads().stream().anyMatch(r -> r.requestId() == requestId && !r.refused());
    }

    /** The same, but the node's messages (the ReadIndex round of a fallback) are queued for delivery. */
    private static boolean servedAtOnce(ManualCluster c, String id, long requestId) {
        c.node(id).leaseRead(requestId);
        c.drain();
        return c.reads.get(id).stream().anyMatch(r -> r.requestId() == requestId && !r.refused());
    }

    @Test
    void aLeaderWithALeaseAnswersWithoutAHeartbeatRound() {
        ManualCluster c = leaderWithLease();
        RaftNode n1 = c.node("n1");
        c.dropAll();
        n1.leaseRead(5);
        Ready r = n1.ready();
        assertThat(r.reads()).containsExactly(new ReadState(5, n1.commitIndex()));
        assertThat(r.messages()).noneMatch(m -> m instanceof Message.Heartbeat);
        assertThat(RaftConfig.defaults("x").leaseTicks()).isEqualTo(7);
    }

    @Test
    void beforeItsNoopCommitsALeaderFallsBackToReadIndex() {
        ManualCluster c = new ManualCluster(3, RaftConfig.defaults("x"));
        c.campaign("n1");
        c.deliver(m -> !(m instanceof Message.AppendEntries)); // elected, but the no-op reaches no one
        RaftNode n1 = c.node("n1");
        assertThat(n1.role()).isEqualTo(Role.LEADER);
        assertThat(servedAtOnce(c, "n1", 1)).isFalse();
        c.tickAll(1); // a heartbeat round brings the no-op along, and then confirms the read
        assertThat(n1.commitIndex()).isEqualTo(1);
        assertThat(c.reads.get("n1")).contains(new ReadState(1, 1));
    }

    @Test
    void aFollowerRefusesLeaseReads() {
        ManualCluster c = leaderWithLease();
        c.node("n2").leaseRead(3);
        assertThat(c.node("n2").ready().reads()).containsExactly(new ReadState(3, -1));
    }

    @Test
    void withoutAcksTheLeaseRunsOutAndReadsWaitForAQuorum() {
        ManualCluster c = leaderWithLease();
        RaftNode n1 = c.node("n1");
        for (int i = 0; i < RaftConfig.defaults("x").leaseTicks(); i++) {
            n1.tick();
            c.dropAll();
        }
        assertThat(servedAtOnce(c, "n1", 1)).isFalse();
        c.deliverAll();
        assertThat(c.reads.get("n1")).contains(new ReadState(1, n1.commitIndex()));
    }

    /**
     * Real time in milliseconds; ticks of 10 ms nominal. The leader's clock is slow (0.9x: a tick every
     * 11.1 ms) and the follower's fast (1.1x: every 9.1 ms), the edges of the default ±10% bound. At
     * time 0 the leader sends a heartbeat round; the follower n2 gets it at 1 ms and ticks for the first
     * time right after; its ack reaches the leader {@code ackDelay} ms later, and from then on the leader
     * is cut off. Every millisecond the leader is asked for a lease read and n2 for its vote for n3.
     *
     * @return {last millisecond a lease read was served, first millisecond n2 granted the vote}
     */
    private static long[] leaseAgainstStickiness(int ackDelay, InjectedBug... bugs) {
        ManualCluster c = leaderWithLease(bugs);
        RaftNode n1 = c.node("n1");
        RaftNode n2 = c.node("n2");
        c.dropAll();
        n1.tick();
        Message heartbeat = n1.ready().messages().stream()
                .filter(m -> m instanceof Message.Heartbeat && m.to().equals("n2")).findFirst().orElseThrow();
        n2.step(heartbeat);
        List<Message> ack = n2.ready().messagesAfterPersist();
        double leaderTick = 10 / 0.9;
        double followerTick = 10 / 1.1;
        int leaderTicks = 0;
        int followerTicks = 0;
        long lastServed = -1;
        for (long t = 1; t < 1_000; t++) {
            while ((leaderTicks + 1) * leaderTick <= t) {
                leaderTicks++;
                n1.tick();
            }
            while (2 + followerTicks * followerTick <= t) {
                followerTicks++;
                n2.tick();
            }
            if (t == 1 + ackDelay) ack.forEach(n1::step);
            if (n1.role() == Role.LEADER && servedAtOnce(n1, t)) lastServed = t;
            n1.ready(); // the leader's messages are lost: it is cut off
            n2.ready();
            n2.step(new Message.VoteRequest("n3", "n2", n2.term() + 1, n2.lastIndex(), n2.termAt(n2.lastIndex()), false));
            boolean granted = n2.ready().messagesAfterPersist().stream()
                    .anyMatch(m -> m instanceof Message.VoteResponse v && v.granted());
            if (granted) return new long[]{lastServed, t};
        }
        throw new AssertionError("n2 never voted");
    }

    @Test
    void theLeaseEndsBeforeAFollowerThatBackedItCanVoteEvenWithClocksAtTheDriftBound() {
        long[] quickAck = leaseAgainstStickiness(2);
        assertThat(quickAck[0]).as("served from the lease for a while").isGreaterThan(50);
        assertThat(quickAck[0]).as("last lease read vs first vote elsewhere").isLessThan(quickAck[1]);
        long[] slowAck = leaseAgainstStickiness(40);
        assertThat(slowAck[0]).as("the lease starts when the round was sent, however late the ack").isLessThan(slowAck[1]);
    }

    @Test
    void theLeaseEnds_control_leaseNoMarginOutlivesTheFollowersPromise() {
        long[] r = leaseAgainstStickiness(2, InjectedBug.LEASE_NO_MARGIN);
        assertThat(r[0]).isGreaterThanOrEqualTo(r[1]);
    }

    @Test
    void theLeaseEnds_control_leaseFromAckOutlivesTheFollowersPromise() {
        long[] r = leaseAgainstStickiness(40, InjectedBug.LEASE_FROM_ACK);
        assertThat(r[0]).isGreaterThanOrEqualTo(r[1]);
    }

    /** TimeoutNow starts an election that ignores stickiness: the old leader's lease is void from then on. */
    private static boolean servesFromLeaseAfterTransfer(InjectedBug... bugs) {
        ManualCluster c = leaderWithLease(bugs);
        assertThat(c.node("n1").transferLeadership("n3")).isNull();
        c.deliver(m -> !m.to().equals("n1")); // n3 campaigns and wins with n2; n1 hears nothing of it
        assertThat(c.leader()).isEqualTo("n3");
        assertThat(c.node("n1").role()).isEqualTo(Role.LEADER);
        return servedAtOnce(c, "n1", 42);
    }

    @Test
    void afterSendingTimeoutNowALeaderNoLongerReadsFromItsLease() {
        assertThat(servesFromLeaseAfterTransfer()).isFalse();
    }

    @Test
    void afterTimeoutNow_control_leaseAfterTransferServesAStaleRead() {
        assertThat(servesFromLeaseAfterTransfer(InjectedBug.LEASE_AFTER_TRANSFER)).isTrue();
    }

    /**
     * A follower that acked a heartbeat and then restarted has forgotten its leader, but the leader's
     * lease still counts on it: for one election timeout after booting it refuses votes.
     */
    @Test
    void aRestartedNodeRefusesVotesForOneElectionTimeout() {
        ManualCluster c = leaderWithLease();
        c.restart("n2");
        RaftNode n2 = c.node("n2");
        int refusedTicks = 0;
        while (true) {
            n2.step(new Message.VoteRequest("n3", "n2", n2.term() + 1, n2.lastIndex(), n2.termAt(n2.lastIndex()), false));
            if (n2.ready().messagesAfterPersist().stream().anyMatch(m -> m instanceof Message.VoteResponse v && v.granted())) break;
            n2.tick();
            refusedTicks++;
        }
        assertThat(refusedTicks).isEqualTo(n2.cfg.electionTicks());
    }
}
