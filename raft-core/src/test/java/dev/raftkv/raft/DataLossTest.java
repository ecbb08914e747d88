package dev.raftkv.raft;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A node whose disk lost entries it had acknowledged (#10.2): the leader must notice and replicate to it
 * again, and a node that knows it lost committed entries must not help elect a leader or commit until it
 * holds them again (Protocol-Aware Recovery, FAST'18).
 */
class DataLossTest {
    private static ManualCluster withLeader(int n, InjectedBug... bugs) {
        ManualCluster c = new ManualCluster(n, RaftConfig.defaults("x").withBugs(Set.of(bugs)).withMaxEntriesPerMessage(1));
        c.campaign("n1");
        c.deliverAll();
        assertThat(c.leader()).isEqualTo("n1");
        return c;
    }

    /** The scenario: n3 acknowledged every entry, lost its last two records, restarted; its hint says nothing. */
    private static ManualCluster followerCutBackByTwo() {
        ManualCluster c = withLeader(3);
        for (int i = 0; i < 4; i++) c.propose("n1", "w" + i);
        c.deliverAll();
        c.tickAll(2);
        assertThat(c.node("n1").matchIndexes()).containsEntry("n3", 5L);
        c.crash("n3");
        c.loseLastRecords("n3", 2);
        HardState hs = c.disks.get("n3").hardState;
        c.disks.get("n3").hardState = new HardState(hs.term(), hs.votedFor(), 1); // an old hint: nothing to notice
        c.start("n3");
        assertThat(c.node("n3").lastIndex()).isEqualTo(3);
        return c;
    }

    @Test
    void theLeaderResetsAFollowerWhoseLogEndsBelowWhatItAcknowledged() {
        ManualCluster c = followerCutBackByTwo();
        long index = c.propose("n1", "after");
        c.deliverAll();
        assertThat(c.events("n1", RaftEvent.FollowerLostEntries.class))
                .containsExactly(new RaftEvent.FollowerLostEntries("n1", "n3", 5, 3));
        assertThat(c.node("n3").lastIndex()).as("n3 caught up").isEqualTo(index);
        assertThat(c.node("n1").matchIndexes()).containsEntry("n3", index);
        for (long i = 1; i <= index; i++) assertThat(c.node("n3").termAt(i)).isEqualTo(c.node("n1").termAt(i));
    }

    /**
     * A rejection that arrives late says the same as a follower that lost entries; the leader probes to find
     * out, and keeps what it knows when the probe shows the follower holds its log.
     */
    @Test
    void aLateRejectionFromAFollowerThatCaughtUpSinceChangesNothing() {
        ManualCluster c = withLeader(3);
        c.propose("n1", "a");
        c.propose("n1", "b");
        c.deliverAll();
        long last = c.node("n1").lastIndex();
        assertThat(c.node("n1").matchIndexes()).containsEntry("n3", last);
        // what n3 answered, back when its log ended at 1, to an append after index `last`; delayed until now
        long term = c.node("n1").term();
        c.node("n1").step(new Message.AppendResponse("n3", "n1", term, false, last, 2, 0));
        c.deliverAll();
        assertThat(c.events("n1", RaftEvent.FollowerLostEntries.class)).isEmpty();
        assertThat(c.node("n1").matchIndexes()).containsEntry("n3", last);
        long next = c.propose("n1", "c");
        c.deliverAll();
        assertThat(c.node("n1").matchIndexes()).as("replication goes on").containsEntry("n3", next);
    }

    /**
     * n2 is cut off while n1 and n3 commit two entries; n3 makes a commit hint past them durable, then its disk
     * loses them (and the one before), and it restarts; n1 dies. Only n3's vote could elect n2, whose log lacks
     * two committed entries.
     */
    private static ManualCluster committedWithN3ThenN3LosesThem(InjectedBug... bugs) {
        ManualCluster c = withLeader(3, bugs);
        long lastCommitted = 0;
        for (String w : new String[]{"a", "b"}) lastCommitted = c.propose("n1", w);
        c.deliverWithin("n1", "n3");
        for (int i = 0; i <= RaftConfig.defaults("x").electionTicks(); i++) {
            c.tick("n1", 1);
            c.tick("n3", 1);
            c.deliverWithin("n1", "n3");
        }
        assertThat(c.node("n1").commitIndex()).isEqualTo(lastCommitted);
        assertThat(c.node("n2").lastIndex()).isLessThan(lastCommitted);
        assertThat(c.disks.get("n3").hardState.commit()).as("n3's durable hint").isEqualTo(lastCommitted);
        c.crash("n3");
        c.loseLastRecords("n3", 3);
        c.start("n3");
        c.crash("n1");
        return c;
    }

    @Test
    void aNodeThatLostCommittedEntriesSaysSoAndVotesForNoOne() {
        ManualCluster c = committedWithN3ThenN3LosesThem();
        c.drain();
        assertThat(c.events("n3", RaftEvent.LostCommittedEntries.class)).hasSize(1);
        assertThat(c.node("n3").repairing()).isTrue();
        c.campaign("n2");
        c.deliverWithin("n2", "n3");
        assertThat(c.node("n2").role()).as("n3 refused its vote").isNotEqualTo(Role.LEADER);
        for (int i = 0; i < 5 * RaftConfig.defaults("x").electionTicks(); i++) {
            c.tick("n2", 1);
            c.tick("n3", 1);
            c.deliverWithin("n2", "n3");
        }
        assertThat(c.leader()).as("no leader without the entries").isNull();
    }

    /** The control: a node that votes after losing committed entries elects a leader that lacks them. */
    @Test
    void withVoteAfterDataLossACommittedEntryIsLost() {
        ManualCluster c = committedWithN3ThenN3LosesThem(InjectedBug.VOTE_AFTER_DATA_LOSS);
        c.campaign("n2");
        c.deliverWithin("n2", "n3");
        assertThat(c.leader()).isEqualTo("n2");
        assertThat(c.node("n2").lastIndex()).as("the new leader lacks what n1 and n3 committed")
                .isLessThan(c.node("n1").commitIndex());
    }

    /** When the leader that holds the entries is back, it repairs n3, which votes and counts again. */
    @Test
    void aLeaderThatHoldsTheLostEntriesRepairsTheNode() {
        ManualCluster c = committedWithN3ThenN3LosesThem();
        long committed = c.node("n1").commitIndex();
        c.start("n1");
        c.campaign("n1");
        c.deliverAll();
        assertThat(c.leader()).isEqualTo("n1");
        c.tickAll(3);
        assertThat(c.events("n1", RaftEvent.FollowerRepairing.class)).extracting(RaftEvent.FollowerRepairing::follower)
                .containsExactly("n3");
        assertThat(c.events("n3", RaftEvent.Repaired.class)).hasSize(1);
        assertThat(c.node("n3").repairing()).isFalse();
        assertThat(c.node("n3").lastIndex()).isGreaterThanOrEqualTo(committed);
        assertThat(c.disks.get("n3").hardState.repairing()).as("the end of the repair is durable").isFalse();
        // n3 votes again: with n1 gone, n2 and n3 elect a leader that holds everything committed
        c.crash("n1");
        c.campaign("n3");
        c.deliverWithin("n2", "n3");
        assertThat(c.leader()).isEqualTo("n3");
        assertThat(c.node("n3").lastIndex()).isGreaterThanOrEqualTo(committed);
    }

    /**
     * A crash in the middle of the repair does not end it: by then the log may have grown past the old hint
     * while the node has not been told it holds everything, so the flag itself is durable.
     */
    @Test
    void aRestartInTheMiddleOfARepairGoesOnRepairing() {
        ManualCluster c = committedWithN3ThenN3LosesThem();
        long committed = c.node("n1").commitIndex();
        c.start("n1");
        c.campaign("n1");
        c.deliver(m -> !(m instanceof Message.Repaired));
        for (int i = 0; i < 3; i++) {
            c.tick("n1", 1);
            c.deliver(m -> !(m instanceof Message.Repaired));
        }
        assertThat(c.node("n3").lastIndex()).as("n3 got the entries back").isGreaterThanOrEqualTo(committed);
        assertThat(c.disks.get("n3").hardState.repairing()).isTrue();
        c.restart("n3");
        c.drain();
        assertThat(c.events("n3", RaftEvent.StillRepairing.class)).hasSize(1);
        assertThat(c.node("n3").repairing()).isTrue();
        c.tickAll(3);
        assertThat(c.node("n3").repairing()).as("the new repair ends").isFalse();
    }

    /**
     * While n3 repairs (its entries held back here), removing n2 would leave {n1, n3}: if n1 then fell, nobody
     * could be elected, since n3 votes for no one. The leader refuses; removing n3 itself is fine.
     */
    @Test
    void aLeaderRefusesAChangeWhoseVotersCouldNotElectWithoutARepairingOne() {
        ManualCluster c = committedWithN3ThenN3LosesThem();
        c.start("n1");
        c.campaign("n1");
        java.util.function.Predicate<Message> noEntriesToN3 =
                m -> !(m.to().equals("n3") && (m instanceof Message.AppendEntries || m instanceof Message.InstallSnapshot));
        c.deliver(noEntriesToN3);
        for (int i = 0; i < 3; i++) {
            c.tick("n1", 1);
            c.deliver(noEntriesToN3);
        }
        assertThat(c.node("n1").repairingFollowers()).containsExactly("n3");
        ProposeResult removeN2 = c.node("n1").changeMembership(new ConfigChange.Remove("n2"));
        assertThat(removeN2).isInstanceOf(ProposeResult.Rejected.class);
        assertThat(((ProposeResult.Rejected) removeN2).reason()).contains("n3");
        assertThat(c.node("n1").changeMembership(new ConfigChange.Remove("n3"))).isInstanceOf(ProposeResult.Accepted.class);
    }
}
