package dev.raftkv.raft;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A follower that campaigns while the leader leads it does not receive what the leader sends: seen over Netty
 * when a follower restarted in the same process and the leader's connection to its old incarnation never
 * closed (the leader wrote into it for a minute, the follower heard nothing). The leader must say so, once per
 * election timeout, so that its driver dials the follower again, and must probe it afresh.
 */
class FollowerNotHearingUsTest {
    private static ManualCluster ledByN1() {
        ManualCluster c = ManualCluster.of(3);
        c.campaign("n1");
        c.deliverAll();
        assertThat(c.leader()).isEqualTo("n1");
        return c;
    }

    /** Ticks every node while nothing from n1 reaches n3, until n3 asks for pre-votes. */
    private static void cutN1ToN3UntilN3Campaigns(ManualCluster c) {
        for (int t = 0; t < 10 * RaftConfig.defaults("x").electionTicks(); t++) {
            for (String id : c.nodes.keySet()) c.tick(id, 1);
            c.drain();
            boolean campaigning = c.inFlight.stream().anyMatch(m -> m instanceof Message.PreVoteRequest && m.from().equals("n3"));
            c.deliver(m -> !(m.from().equals("n1") && m.to().equals("n3")));
            if (campaigning) return;
        }
        throw new AssertionError("n3 never campaigned");
    }

    @Test
    void aFollowerThatCampaignsIsReportedOncePerElectionTimeoutAndCatchesUpOnceHeard() {
        ManualCluster c = ledByN1();
        cutN1ToN3UntilN3Campaigns(c);
        c.drain();
        assertThat(c.events("n1", RaftEvent.FollowerNotHearingUs.class))
                .containsExactly(new RaftEvent.FollowerNotHearingUs("n1", "n3"));
        assertThat(c.node("n1").role()).isEqualTo(Role.LEADER); // check-quorum and stickiness hold: n3 disrupts nothing

        // it keeps campaigning, but the leader reports it again only after another election timeout
        RaftNode n1 = c.node("n1");
        Message.PreVoteRequest again = new Message.PreVoteRequest("n3", "n1", n1.term() + 1, 0, 0);
        n1.step(again);
        c.drain();
        assertThat(c.events("n1", RaftEvent.FollowerNotHearingUs.class)).hasSize(1);
        cutN1ToN3UntilN3Campaigns(c); // its next campaign comes an election timeout later at the soonest
        c.drain();
        assertThat(c.events("n1", RaftEvent.FollowerNotHearingUs.class)).hasSize(2);
        c.inFlight.clear();

        // once the driver reconnected, n3 hears the leader again and holds its log
        c.propose("n1", "x");
        for (int i = 0; i < 5; i++) {
            c.tickAll(1);
            c.deliverAll();
        }
        assertThat(c.node("n3").leader()).isEqualTo("n1");
        assertThat(c.node("n1").matchIndexes().get("n3")).isEqualTo(c.node("n1").lastIndex());
    }

    @Test
    void aLeaderHeardByItsFollowersReportsNothing() {
        ManualCluster c = ledByN1();
        for (int i = 0; i < 5 * RaftConfig.defaults("x").electionTicks(); i++) {
            c.tickAll(1);
            c.deliverAll();
        }
        assertThat(c.events("n1", RaftEvent.FollowerNotHearingUs.class)).isEmpty();
    }

    @Test
    void aFollowerThatIsNotAPeerOfTheLeaderIsIgnored() {
        ManualCluster c = ledByN1();
        c.node("n1").step(new Message.PreVoteRequest("n9", "n1", c.node("n1").term() + 1, 0, 0));
        c.drain();
        assertThat(c.events("n1", RaftEvent.FollowerNotHearingUs.class)).isEmpty();
    }
}
