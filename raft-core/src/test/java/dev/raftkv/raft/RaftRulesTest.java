package dev.raftkv.raft;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One scenario per rule of the Raft paper and dissertation, so that a regression names the rule it broke.
 * Where a deliberate bug ({@link InjectedBug}) breaks the rule, the same scenario runs with it and must fail.
 */
class RaftRulesTest {

    private static ManualCluster cluster(int n, InjectedBug... bugs) {
        RaftConfig cfg = RaftConfig.defaults("x").withBugs(Set.of(bugs)).withMaxEntriesPerMessage(1);
        return new ManualCluster(n, cfg);
    }

    private static ManualCluster withLeader(int n, String leader, InjectedBug... bugs) {
        ManualCluster c = cluster(n, bugs);
        c.campaign(leader);
        c.deliverAll();
        assertThat(c.leader()).isEqualTo(leader);
        return c;
    }

    @Test
    void electedLeaderCommitsItsNoopAndReplicatesCommands() {
        ManualCluster c = withLeader(3, "n1");
        long index = c.propose("n1", "hello");
        c.deliverAll();
        c.tickAll(2); // heartbeats carry the new commit index
        for (String id : List.of("n1", "n2", "n3")) {
            assertThat(c.node(id).commitIndex()).as(id).isEqualTo(index);
            assertThat(c.applied.get(id)).extracting(Entry::index).containsExactly(1L, 2L);
        }
    }

    /**
     * Figure 8: a leader must not commit an entry of an earlier term by counting replicas, because a
     * node whose log ends in a later term can still be elected and overwrite it.
     */
    private static ManualCluster figure8(InjectedBug... bugs) {
        ManualCluster c = withLeader(5, "n1", bugs);           // term 1: noop 1@1 everywhere
        c.tickAll(1);
        c.propose("n1", "x");                                    // 2@1 reaches n2 only
        c.deliver(m -> m.to().equals("n2") || m.from().equals("n2"));
        c.crash("n1");
        c.dropAll();

        c.campaign("n5");                                        // term 2: n5 wins with n3, n4; its noop 2@2 goes nowhere
        c.deliver(m -> !(m instanceof Message.AppendEntries));
        assertThat(c.leader()).isEqualTo("n5");
        c.crash("n5");
        c.dropAll();

        c.start("n1");                                           // term 3: n1 wins with n2, n3
        c.campaign("n1");                                        // (its first try, in term 2, loses to n5's votes)
        c.deliver(m -> !(m instanceof Message.AppendEntries) && !m.to().equals("n5") && !m.from().equals("n5"));
        c.campaign("n1");
        c.deliver(m -> !(m instanceof Message.AppendEntries) && !m.to().equals("n5") && !m.from().equals("n5"));
        assertThat(c.leader()).isEqualTo("n1");
        // n1 brings n3 up to 2@1 (one entry per message): n3 rejects the first probe, which carries the
        // noop 3@3, takes 2@1, and then n1 dies before the noop reaches n3 again
        boolean[] probed = {false};
        c.tick("n1", 1); // a heartbeat round resends the probes the election round dropped
        c.deliver(m -> {
            if (m.to().equals("n5") || m.from().equals("n5") || m.to().equals("n4") || m.from().equals("n4")) return false;
            if (m instanceof Message.AppendEntries a && a.to().equals("n3")
                    && a.entries().stream().anyMatch(e -> e.term() == 3)) {
                if (probed[0]) return false;
                probed[0] = true;
            }
            return true;
        });
        return c;
    }

    @Test
    void figure8_anOldTermEntryIsNotCommittedByCountingReplicas() {
        ManualCluster c = figure8();
        assertThat(c.node("n3").lastIndex()).isEqualTo(2);      // 2@1 is on a majority: n1, n2, n3
        assertThat(c.node("n1").commitIndex()).isLessThan(2);   // ... and still not committed
    }

    @Test
    void figure8_control_commitPreviousTermCommitsWhatALaterLeaderOverwrites() {
        ManualCluster c = figure8(InjectedBug.COMMIT_PREVIOUS_TERM);
        assertThat(c.node("n1").commitIndex()).isEqualTo(2);    // committed 2@1 ...
        c.crash("n1");
        c.dropAll();
        c.start("n5");                                           // ... which n5 (log ends in term 2) now overwrites
        for (int attempt = 0; attempt < 2; attempt++) {          // its first try is in a term n3 and n4 voted in
            c.campaign("n5");
            c.deliver(m -> !m.to().equals("n1") && !m.from().equals("n1") && !m.to().equals("n2") && !m.from().equals("n2"));
        }
        assertThat(c.leader()).isEqualTo("n5");
        assertThat(c.node("n3").termAt(2)).isEqualTo(2);
        assertThat(c.node("n3").commitIndex()).isGreaterThanOrEqualTo(2);
    }

    /** A vote is durable before the answer leaves: after a crash the node will not vote again in that term. */
    private static boolean votesTwiceInOneTerm(InjectedBug... bugs) {
        ManualCluster c = cluster(3, bugs);
        c.campaign("n1");
        c.deliverOne(m -> m instanceof Message.VoteRequest && m.to().equals("n3"));
        assertThat(c.node("n3").votedFor()).isEqualTo("n1");
        c.restart("n3");
        c.inFlight.clear();
        // n2 campaigns in the same term n1 did
        c.campaign("n2");
        c.deliverOne(m -> m instanceof Message.VoteRequest && m.to().equals("n3"));
        return c.inFlight.stream().anyMatch(m -> m instanceof Message.VoteResponse v && v.granted()
                && v.to().equals("n2") && v.term() == 1);
    }

    @Test
    void aVoteSurvivesACrash() {
        assertThat(votesTwiceInOneTerm()).isFalse();
    }

    @Test
    void aVoteSurvivesACrash_control_forgetVote() {
        assertThat(votesTwiceInOneTerm(InjectedBug.FORGET_VOTE)).isTrue();
    }

    @Test
    void voteAndAppendResponsesWaitForPersistence() {
        ManualCluster c = cluster(3);
        c.campaign("n1");
        c.drain();
        Message req = c.inFlight.stream().filter(m -> m.to().equals("n2")).findFirst().orElseThrow();
        c.node("n2").step(req);
        Ready r = c.node("n2").ready();
        assertThat(r.hardState()).isEqualTo(new HardState(1, "n1", 0));
        assertThat(r.messages()).isEmpty();
        assertThat(r.messagesAfterPersist()).singleElement().isInstanceOf(Message.VoteResponse.class);
    }

    /** Check-quorum: a leader that hears from no majority for an election timeout steps down (no election loop). */
    private static Role leaderAfterIsolation(InjectedBug... bugs) {
        ManualCluster c = withLeader(3, "n1", bugs);
        RaftNode n1 = c.node("n1");
        for (int i = 0; i < n1.cfg.electionTicks() + 1; i++) {
            n1.tick();
            c.dropAll();
        }
        return n1.role();
    }

    @Test
    void checkQuorum_anIsolatedLeaderStepsDownWithinOneElectionTimeout() {
        assertThat(leaderAfterIsolation()).isEqualTo(Role.FOLLOWER);
    }

    @Test
    void checkQuorum_control_noCheckQuorumKeepsLeading() {
        assertThat(leaderAfterIsolation(InjectedBug.NO_CHECK_QUORUM)).isEqualTo(Role.LEADER);
    }

    @Test
    void preVote_anIsolatedNodeDoesNotRaiseTheClusterTermWhenItReturns() {
        ManualCluster c = withLeader(3, "n1");
        long term = c.node("n1").term();
        for (int i = 0; i < 200; i++) {          // n3 alone for 20 election timeouts
            c.tick("n3", 1);
            c.tick("n1", 1);
            c.tick("n2", 1);
            c.deliver(m -> !m.to().equals("n3") && !m.from().equals("n3"));
        }
        assertThat(c.node("n3").term()).isEqualTo(term);
        c.tickAll(30);                            // back together
        assertThat(c.leader()).isEqualTo("n1");
        assertThat(c.node("n1").term()).isEqualTo(term);
    }

    @Test
    void leaderStickiness_followersWithALiveLeaderIgnorePreVotes() {
        ManualCluster c = withLeader(3, "n1");
        RaftNode n2 = c.node("n2");
        n2.step(new Message.PreVoteRequest("n3", "n2", n2.term() + 1, 100, n2.term() + 5));
        assertThat(n2.ready().messages()).isEmpty();
    }

    @Test
    void readIndex_waitsForAQuorumToConfirmLeadership() {
        ManualCluster c = withLeader(3, "n1");
        c.node("n1").readIndex(7);
        c.dropAll();                              // the heartbeats that would confirm are lost
        assertThat(c.reads.getOrDefault("n1", List.of())).isEmpty();
        c.node("n1").readIndex(8);
        c.deliverAll();
        assertThat(c.reads.get("n1")).extracting(ReadState::requestId).containsExactly(7L, 8L);
        assertThat(c.reads.get("n1")).allMatch(r -> r.index() == c.node("n1").commitIndex());
    }

    @Test
    void readIndex_isRefusedByALeaderThatStepsDown() {
        ManualCluster c = withLeader(3, "n1");
        c.node("n1").readIndex(1);
        c.dropAll();
        for (int i = 0; i < 12; i++) {
            c.tick("n1", 1);
            c.dropAll();
        }
        assertThat(c.reads.get("n1")).containsExactly(new ReadState(1, -1));
    }

    @Test
    void readIndex_control_staleReadAnswersWithoutConfirmation() {
        ManualCluster c = withLeader(3, "n1", InjectedBug.STALE_READ);
        c.node("n1").readIndex(7);
        c.dropAll();
        assertThat(c.reads.get("n1")).extracting(ReadState::requestId).containsExactly(7L);
    }

    /** A follower with a conflicting suffix drops it and takes the leader's entries. */
    private static ManualCluster conflictingSuffix(InjectedBug... bugs) {
        ManualCluster c = withLeader(3, "n1", bugs);
        c.propose("n1", "a");
        c.propose("n1", "b");                      // 2@1, 3@1 reach nobody
        c.dropAll();
        c.crash("n1");
        c.campaign("n2");                          // n2 leads term 2 with n3
        c.deliverAll();
        c.propose("n2", "c");
        c.deliverAll();
        c.start("n1");
        c.tickAll(5);
        return c;
    }

    @Test
    void logMatching_aConflictingSuffixIsTruncated() {
        ManualCluster c = conflictingSuffix();
        RaftNode n1 = c.node("n1");
        RaftNode n2 = c.node("n2");
        assertThat(n1.lastIndex()).isEqualTo(n2.lastIndex());
        for (long i = 1; i <= n2.lastIndex(); i++) assertThat(n1.termAt(i)).isEqualTo(n2.termAt(i));
    }

    @Test
    void logMatching_control_noTruncateKeepsTheOldSuffix() {
        ManualCluster c = conflictingSuffix(InjectedBug.NO_TRUNCATE);
        assertThat(c.node("n1").termAt(2)).isEqualTo(1);
        assertThat(c.node("n2").termAt(2)).isEqualTo(2);
    }

    @Test
    void transferLeadership_handsOverToAnUpToDateVoter() {
        ManualCluster c = withLeader(3, "n1");
        c.propose("n1", "a");
        c.deliverAll();
        assertThat(c.node("n1").transferLeadership("n3")).isNull();
        c.deliverAll();
        assertThat(c.leader()).isEqualTo("n3");
        assertThat(c.node("n3").term()).isEqualTo(2);
        assertThat(c.node("n3").transferLeadership("n9")).contains("unknown member");
    }

    @Test
    void snapshot_aFollowerBehindACompactedLogCatchesUpFromASnapshot() {
        ManualCluster c = withLeader(3, "n1");
        c.crash("n3");
        for (int i = 0; i < 20; i++) c.propose("n1", "v" + i);
        c.deliverAll();
        RaftNode n1 = c.node("n1");
        n1.snapshotTaken(new SnapshotMeta(n1.appliedIndex(), n1.termAt(n1.appliedIndex()), n1.members()));
        assertThat(n1.firstIndex()).isGreaterThan(1);
        c.start("n3");
        c.tickAll(n1.cfg.electionTicks() + 2); // the leader notices that what it sent n3 was lost
        RaftNode n3 = c.node("n3");
        assertThat(n3.latestSnapshot().index()).isEqualTo(n1.latestSnapshot().index());
        assertThat(n3.commitIndex()).isEqualTo(n1.commitIndex());
    }

    @Test
    void fastBackoff_aFollowerWithALongConflictingSuffixIsFoundInOneRejection() {
        ManualCluster c = withLeader(3, "n1");
        for (int i = 0; i < 100; i++) c.propose("n1", "lost" + i); // 100 entries of term 1 only n1 holds
        c.dropAll();
        c.crash("n1");
        c.campaign("n2");
        c.deliverAll();
        for (int i = 0; i < 5; i++) c.propose("n2", "kept" + i);
        c.deliverAll();
        c.start("n1");
        int[] rejections = {0};
        for (int i = 0; i < 3; i++) {
            c.tick("n2", 1);
            c.deliver(m -> {
                if (m instanceof Message.AppendResponse r && !r.success() && r.from().equals("n1")) rejections[0]++;
                return true;
            });
        }
        assertThat(c.node("n1").lastIndex()).isEqualTo(c.node("n2").lastIndex());
        assertThat(rejections[0]).isLessThanOrEqualTo(2);
    }
}
