package dev.raftkv.raft;

import dev.raftkv.raft.ConfigChange.AddLearner;
import dev.raftkv.raft.ConfigChange.AddVoter;
import dev.raftkv.raft.ConfigChange.Promote;
import dev.raftkv.raft.ConfigChange.Remove;
import dev.raftkv.raft.ConfigChange.SetEndpoint;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Single-server membership changes (Raft dissertation, chapter 4), one rule per scenario. */
class MembershipTest {

    private static ManualCluster withLeader(int n, InjectedBug... bugs) {
        ManualCluster c = new ManualCluster(n, RaftConfig.defaults("x").withBugs(Set.of(bugs)));
        c.campaign("n1");
        c.deliverAll();
        assertThat(c.leader()).isEqualTo("n1");
        return c;
    }

    private static long accepted(ProposeResult r) {
        assertThat(r).as("%s", r).isInstanceOf(ProposeResult.Accepted.class);
        return ((ProposeResult.Accepted) r).index();
    }

    private static String rejected(ProposeResult r) {
        assertThat(r).isInstanceOf(ProposeResult.Rejected.class);
        return ((ProposeResult.Rejected) r).reason();
    }

    /** Adds n4 as a learner and lets it catch up. */
    private static ManualCluster withLearner() {
        ManualCluster c = withLeader(3);
        c.addEmptyNode("n4");
        accepted(c.node("n1").changeMembership(new AddLearner("n4", "addr-of-n4")));
        c.deliverAll();
        c.tickAll(2);
        return c;
    }

    @Test
    void aLearnerReceivesTheLogButNeitherVotesNorCounts() {
        ManualCluster c = withLearner();
        RaftNode n4 = c.node("n4");
        assertThat(n4.members().learners()).containsExactly("n4");
        assertThat(n4.members().endpoint("n4")).isEqualTo("addr-of-n4");
        assertThat(n4.commitIndex()).isEqualTo(c.node("n1").commitIndex());

        // with both other voters gone, the learner's copy does not make a majority
        c.crash("n2");
        c.crash("n3");
        long index = c.propose("n1", "alone");
        c.deliverAll();
        assertThat(n4.lastIndex()).isEqualTo(index);
        assertThat(c.node("n1").commitIndex()).isLessThan(index);

        // and the learner never campaigns, however long it hears nothing
        c.crash("n1");
        c.tickAll(100);
        assertThat(n4.role()).isEqualTo(Role.FOLLOWER);
        assertThat(n4.term()).isEqualTo(1);
    }

    @Test
    void aMemberPublishesItsEndpointThroughTheLogAndTheMembersStayAsTheyWere() {
        ManualCluster c = withLearner();
        ClusterConfig before = c.node("n1").members();
        accepted(c.node("n1").changeMembership(new SetEndpoint("n2", "raft=a:1 http=a:2")));
        c.deliverAll();
        c.tickAll(2);
        for (String id : List.of("n1", "n2", "n3", "n4")) {
            ClusterConfig now = c.node(id).members();
            assertThat(now.endpoint("n2")).as(id).isEqualTo("raft=a:1 http=a:2");
            assertThat(now.endpoint("n4")).as(id).isEqualTo("addr-of-n4");
            assertThat(now.voters()).as(id).isEqualTo(before.voters());
            assertThat(now.learners()).as(id).isEqualTo(before.learners());
        }
        // like every change, one at a time, and only for a member
        assertThat(c.node("n1").changeMembership(new SetEndpoint("n9", "raft=b:1"))).isEqualTo(new ProposeResult.UnknownMember("n9"));
    }

    @Test
    void aLearnerIsPromotedOnlyOnceCaughtUp() {
        ManualCluster c = withLeader(3);
        c.addEmptyNode("n4");
        accepted(c.node("n1").changeMembership(new AddLearner("n4", null)));
        c.deliver(m -> !m.to().equals("n4")); // the learner hears nothing yet
        c.tickAll(1);
        for (int i = 0; i < 20; i++) c.propose("n1", "v" + i);
        c.deliver(m -> !m.to().equals("n4"));

        assertThat(c.node("n1").changeMembership(new Promote("n4", 5))).isInstanceOfSatisfying(ProposeResult.LearnerBehind.class,
                behind -> assertThat(behind.reason()).contains("catching up"));

        c.tickAll(12); // the leader notices the learner's replication stalled and probes again
        long index = accepted(c.node("n1").changeMembership(new Promote("n4", 5)));
        c.deliverAll();
        c.tickAll(1);
        assertThat(c.node("n4").members().voters()).containsExactly("n1", "n2", "n3", "n4");
        assertThat(c.node("n1").commitIndex()).isGreaterThanOrEqualTo(index);

        // four voters: a majority is three, so two of them can no longer commit
        c.crash("n3");
        c.crash("n4");
        long alone = c.propose("n1", "two of four");
        c.deliverAll();
        assertThat(c.node("n1").commitIndex()).isLessThan(alone);
    }

    @Test
    void oneChangeAtATime() {
        ManualCluster c = withLeader(3);
        c.addEmptyNode("n4");
        accepted(c.node("n1").changeMembership(new AddLearner("n4", null)));
        assertThat(rejected(c.node("n1").changeMembership(new Remove("n3")))).contains("one change at a time");
        c.deliverAll();
        c.tickAll(1);
        accepted(c.node("n1").changeMembership(new Remove("n3")));
    }

    @Test
    void aNewLeaderChangesNothingBeforeItCommittedInItsTerm() {
        ManualCluster c = new ManualCluster(3, RaftConfig.defaults("x"));
        c.campaign("n1");
        c.deliver(m -> !(m instanceof Message.AppendEntries)); // elected, but its no-op is not replicated
        assertThat(c.leader()).isEqualTo("n1");
        assertThat(rejected(c.node("n1").changeMembership(new Remove("n3")))).contains("not committed an entry of its term");
        c.tickAll(12); // the lost appends are noticed and sent again
        accepted(c.node("n1").changeMembership(new Remove("n3")));
    }

    @Test
    void impossibleChangesAreInvalidNotRetryable() {
        ManualCluster c = withLeader(3);
        assertThat(c.node("n1").changeMembership(new Remove("n9"))).isEqualTo(new ProposeResult.UnknownMember("n9"));
        assertThat(c.node("n1").changeMembership(new AddLearner("n2", null))).isInstanceOf(ProposeResult.Invalid.class);
        assertThat(c.node("n1").changeMembership(new Promote("n2", 10))).isInstanceOf(ProposeResult.Invalid.class);
        assertThat(rejected(c.node("n2").changeMembership(new Remove("n3")))).contains("not the leader");
    }

    @Test
    void aRemovedLeaderHandsOverOnceTheChangeCommits() {
        ManualCluster c = withLeader(3);
        accepted(c.node("n1").changeMembership(new Remove("n1")));
        assertThat(c.node("n1").role()).as("leads until the removal commits").isEqualTo(Role.LEADER);
        c.deliverAll();
        c.tickAll(1);
        assertThat(c.node("n1").role()).isEqualTo(Role.FOLLOWER);
        String next = c.leader();
        assertThat(next).isIn("n2", "n3");
        assertThat(c.node(next).members().voters()).containsExactly("n2", "n3");

        long index = c.propose(next, "after");
        c.tickAll(30);
        assertThat(c.node("n1").role()).as("a removed node never campaigns").isEqualTo(Role.FOLLOWER);
        assertThat(c.node(next).commitIndex()).isGreaterThanOrEqualTo(index);
        assertThat(c.leader()).isEqualTo(next);
    }

    @Test
    void aRemovedNodeThatMissedItsRemovalCannotDisruptTheCluster() {
        ManualCluster c = withLeader(3);
        accepted(c.node("n1").changeMembership(new Remove("n3")));
        c.deliverWithin("n1", "n2");
        c.tickAll(0);
        long term = c.node("n1").term();

        // n3 never heard of its removal: it still thinks it votes, times out again and again
        for (int i = 0; i < 60; i++) {
            c.tick("n1", 1);
            c.tick("n2", 1);
            c.tick("n3", 1);
            c.deliverAll();
        }
        assertThat(c.leader()).isEqualTo("n1");
        assertThat(c.node("n1").term()).isEqualTo(term);
        assertThat(c.node("n2").term()).isEqualTo(term);
    }

    @Test
    void aTruncatedConfigEntryTakesItsMembershipWithIt() {
        ManualCluster c = withLeader(5);
        c.tickAll(1);
        c.addEmptyNode("n6");
        accepted(c.node("n1").changeMembership(new AddLearner("n6", null)));
        c.deliverOne(m -> m.to().equals("n2") && m instanceof Message.AppendEntries);
        assertThat(c.node("n2").members().learners()).containsExactly("n6");
        c.crash("n1");
        c.dropAll();

        c.campaign("n3"); // n3, n4 and n5 never saw the change; they elect n3, whose log overwrites n2's
        c.deliver(m -> !m.from().equals("n2") || !(m instanceof Message.VoteResponse));
        assertThat(c.leader()).isEqualTo("n3");
        c.tickAll(1);
        assertThat(c.node("n2").members().learners()).as("the entry was overwritten").isEmpty();
        assertThat(c.node("n2").members().voters()).containsExactly("n1", "n2", "n3", "n4", "n5");
    }

    @Test
    void aRestartedNodeKnowsTheMembershipFromItsLog() {
        ManualCluster c = withLearner();
        c.restart("n4");
        c.restart("n2");
        assertThat(c.node("n4").members().learners()).containsExactly("n4");
        assertThat(c.node("n2").members().learners()).containsExactly("n4");
    }

    @Test
    void aSnapshotHoldsTheMembershipAsOfItsIndex() {
        ManualCluster c = withLeader(3);
        long before = c.propose("n1", "x");
        c.deliverAll();
        c.tickAll(1);
        c.addEmptyNode("n4");
        long change = accepted(c.node("n1").changeMembership(new AddLearner("n4", null)));
        RaftNode n1 = c.node("n1");
        assertThat(n1.membersAt(before).learners()).isEmpty();
        assertThat(n1.membersAt(change).learners()).containsExactly("n4");
        c.deliverAll();
        c.tickAll(1);

        n1.snapshotTaken(new SnapshotMeta(change, n1.termAt(change), n1.membersAt(change)));
        assertThat(n1.membersAt(change).learners()).containsExactly("n4");
        assertThat(n1.members().learners()).containsExactly("n4");
    }

    @Test
    void transferGoesOnlyToAVoter() {
        ManualCluster c = withLearner();
        assertThat(c.node("n1").transferLeadership("n4")).contains("learner");
        assertThat(c.node("n1").transferLeadership("n9")).contains("unknown");
        assertThat(c.node("n1").transferLeadership("n2")).isNull();
        c.deliverAll();
        assertThat(c.leader()).isEqualTo("n2");
    }

    @Test
    void aBootstrappedNodeLeadsAloneAndOthersJoinIt() {
        ManualCluster c = new ManualCluster(1, RaftConfig.defaults("x"));
        RaftNode n1 = c.node("n1");
        c.tickAll(30);
        assertThat(c.leader()).isEqualTo("n1"); // the single voter of the ManualCluster's base membership
        c.addEmptyNode("n2");
        accepted(n1.changeMembership(new AddLearner("n2", null)));
        c.deliverAll();
        c.tickAll(1);
        c.node("n1").changeMembership(new Promote("n2", 0));
        c.deliverAll();
        c.tickAll(1);
        assertThat(c.node("n2").members().voters()).containsExactly("n1", "n2");
        assertThat(c.node("n2").commitIndex()).isEqualTo(n1.lastIndex());
    }

    @Test
    void bootstrapWritesTheMembershipAsEntryOneOfTermZero() {
        RaftNode fresh = new RaftNode(RaftConfig.defaults("a"), ClusterConfig.NONE, new java.util.Random(1),
                HardState.INITIAL, null, List.of());
        fresh.bootstrap(ClusterConfig.ofVoters("a", "b"));
        Ready r = fresh.ready();
        assertThat(r.entries()).hasSize(1);
        Entry e = r.entries().get(0);
        assertThat(e.index()).isEqualTo(1);
        assertThat(e.term()).isZero();
        assertThat(ClusterConfigCodec.decode(e.data())).isEqualTo(ClusterConfig.ofVoters("a", "b"));
        assertThat(fresh.members().voters()).containsExactly("a", "b");

        RaftNode restarted = new RaftNode(RaftConfig.defaults("a"), ClusterConfig.NONE, new java.util.Random(1),
                HardState.INITIAL, null, List.of(e));
        assertThat(restarted.members().voters()).containsExactly("a", "b");
    }

    /**
     * A single voter wins without anyone's vote, so nothing made its term durable: what it sends its
     * learner must wait for its first entry (and so the term) to be on disk, or after a crash it could
     * lead the same term again and give the learner a different entry with the same index and term.
     */
    @Test
    void aLeaderElectedAloneSendsNothingBeforeItsTermIsDurable() {
        ClusterConfig oneVoterOneLearner = new ClusterConfig(Set.of("n1"), Set.of("n2"));
        RaftNode n1 = new RaftNode(RaftConfig.defaults("n1"), oneVoterOneLearner, new java.util.Random(3),
                HardState.INITIAL, null, List.of());
        for (int i = 0; i < 40 && n1.role() != Role.LEADER; i++) n1.tick();
        assertThat(n1.role()).isEqualTo(Role.LEADER);
        Ready first = n1.ready();
        assertThat(first.hardState().term()).isEqualTo(1);
        assertThat(first.messages()).as("sent before the term is durable").noneMatch(m -> m.to().equals("n2"));
        assertThat(first.messagesAfterPersist()).anyMatch(m -> m instanceof Message.AppendEntries && m.to().equals("n2"));

        Entry noop = first.entries().get(first.entries().size() - 1);
        n1.persisted(noop.index(), noop.term());
        n1.tick(); // a heartbeat
        assertThat(n1.ready().messages()).as("once it is, messages go at once")
                .anyMatch(m -> m instanceof Message.Heartbeat && m.to().equals("n2"));
    }

    /**
     * Two changes in flight let the oldest and the newest membership have disjoint majorities: {n1,n2,n3}
     * elects with n2+n3 while {n1..n5} elects with n1+n4+n5, in the same term. With the rule, the second
     * change is refused; with the injected bug, the scenario ends with two leaders of one term.
     */
    private static ManualCluster twoChangesAtOnce(InjectedBug... bugs) {
        ManualCluster c = withLeader(3, bugs);
        c.tickAll(1);
        c.addEmptyNode("n4");
        c.addEmptyNode("n5");
        accepted(c.node("n1").changeMembership(new AddVoter("n4", null)));
        ProposeResult second = c.node("n1").changeMembership(new AddVoter("n5", null));
        if (!(second instanceof ProposeResult.Accepted)) return c;
        c.deliver(m -> Set.of("n1", "n4", "n5").contains(m.to()) && Set.of("n1", "n4", "n5").contains(m.from()));
        c.campaign("n3");
        c.deliver(m -> Set.of("n2", "n3").contains(m.to()) && Set.of("n2", "n3").contains(m.from()));
        c.campaign("n4");
        c.deliver(m -> Set.of("n1", "n4", "n5").contains(m.to()) && Set.of("n1", "n4", "n5").contains(m.from()));
        return c;
    }

    @Test
    void twoChangesAtOnceAreRefused() {
        ManualCluster c = twoChangesAtOnce();
        assertThat(c.node("n1").members().voters()).containsExactly("n1", "n2", "n3", "n4");
    }

    @Test
    void withTheInjectedBugTwoChangesAtOnceElectTwoLeadersInOneTerm() {
        ManualCluster c = twoChangesAtOnce(InjectedBug.TWO_CHANGES_AT_ONCE);
        assertThat(c.node("n3").role()).isEqualTo(Role.LEADER);
        assertThat(c.node("n4").role()).isEqualTo(Role.LEADER);
        assertThat(c.node("n3").term()).isEqualTo(c.node("n4").term());
    }
}
