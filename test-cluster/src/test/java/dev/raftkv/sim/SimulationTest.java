package dev.raftkv.sim;

import dev.raftkv.raft.InjectedBug;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The simulator as part of {@code mvn test}: a bounded number of seeds must pass, a seed must replay
 * byte for byte, and every deliberate bug must be caught (else the checkers prove nothing).
 */
class SimulationTest {
    static final int TICKS = 1500;

    // a few hundred seeds keep mvn test near 8 minutes on 2 cores; the thousands live in `bin/raftkv sim --seeds 2000`
    @Test
    void threeNodeSeedsHaveNoViolations() {
        SimRunner.Summary s = SimRunner.run(1, 250, 3, TICKS, Set.of(), false, System.out);
        System.out.println(s.line());
        assertThat(s.violations()).isZero();
        assertThat(s.ops()).as("clients did work").isGreaterThan(250 * 100);
    }

    @Test
    void fiveNodeSeedsHaveNoViolations() {
        SimRunner.Summary s = SimRunner.run(1001, 100, 5, TICKS, Set.of(), false, System.out);
        System.out.println(s.line());
        assertThat(s.violations()).isZero();
    }

    @Test
    void aSeedReplaysByteForByte() {
        Simulation.Result a = Simulation.run(Simulation.Params.of(42, 3, 600));
        Simulation.Result b = Simulation.run(Simulation.Params.of(42, 3, 600));
        assertThat(b.traceHash()).isEqualTo(a.traceHash());
        assertThat(b.trace()).isEqualTo(a.trace());
        assertThat(b.events()).isEqualTo(a.events());
        Simulation.Result c = Simulation.run(Simulation.Params.of(43, 3, 600));
        assertThat(c.traceHash()).as("another seed, another run").isNotEqualTo(a.traceHash());
    }

    /**
     * Every bug the random schedules can reach. Two lease bugs are left out: each stretches a lease by
     * two or three ticks, a window that random schedules almost never hit (none in 500 seeds);
     * LeaseReadTest pins both with a scripted worst case instead.
     */
    @ParameterizedTest
    @EnumSource(value = InjectedBug.class, mode = EnumSource.Mode.EXCLUDE, names = {"LEASE_FROM_ACK", "LEASE_NO_MARGIN"})
    void everyInjectedBugIsCaughtWithin500Seeds(InjectedBug bug) {
        SimRunner.Summary s = SimRunner.run(1, 500, 3, TICKS, Set.of(bug), true, System.out);
        System.out.println(bug.flag() + ": " + s.line() + ", first at seed " + s.firstFailingSeed());
        assertThat(s.violations()).as(bug.flag() + " must be caught").isEqualTo(1);
    }

    @Test
    void aScheduledIsolationOfTheLeaderIsSurvived() {
        List<Fault.At> schedule = List.of(
                new Fault.At(500, new Fault.Isolate(Fault.LEADER)),
                new Fault.At(2_000, new Fault.Heal()),
                new Fault.At(2_500, new Fault.Crash(Fault.LEADER)),
                new Fault.At(3_500, new Fault.RestartAll()));
        Simulation.Result r = Simulation.run(Simulation.Params.of(7, 3, 400).withSchedule(schedule));
        assertThat(r.violations()).isEmpty();
        assertThat(r.faults()).isEqualTo(4);
    }

    /**
     * Membership churn while the leader is cut off again and again: single-server changes keep every
     * old and new majority overlapping, so nothing breaks; the same schedule with two changes at once
     * must fail in some seeds (the random seeds catch it too, but rarely: this pins it).
     */
    @Test
    void churnUnderLeaderIsolationIsSurvivedAndCatchesTwoChangesAtOnce() {
        List<Fault.At> schedule = new java.util.ArrayList<>();
        schedule.add(new Fault.At(400, new Fault.ChurnMembership(5_000)));
        for (long t = 700; t < 5_500; t += 600) {
            schedule.add(new Fault.At(t, new Fault.Isolate(Fault.LEADER)));
            schedule.add(new Fault.At(t + 350, new Fault.Heal()));
        }
        assertSeedsPassAndSomeCatch(30, schedule, InjectedBug.TWO_CHANGES_AT_ONCE, "scheduled churn");
    }

    /**
     * Figure 8 of the Raft paper needs leaders that die or lose their followers young, leaving entries of
     * their term on a minority: every 700 ms, new leaders are killed for a while, then a leader reboots
     * over and over, then new leaders are cut off. Random seeds catch commit-previous-term too, but late
     * (hundreds of seeds in); over 50 seeds this schedule pins it.
     */
    @Test
    void leadersThatDieYoungAreSurvivedAndCatchCommittingAPreviousTermsEntry() {
        List<Fault.At> schedule = new java.util.ArrayList<>();
        for (long t = 300; t < 5_800; t += 700) {
            schedule.add(new Fault.At(t, new Fault.KillLeaders(300)));
            schedule.add(new Fault.At(t + 200, new Fault.Flap(Fault.LEADER, 100)));
            schedule.add(new Fault.At(t + 350, new Fault.IsolateLeaders(300)));
        }
        assertSeedsPassAndSomeCatch(50, schedule, InjectedBug.COMMIT_PREVIOUS_TERM, "leaders that die young");
    }

    private static void assertTenSeedsPassAndSomeCatch(List<Fault.At> schedule, InjectedBug bug, String what) {
        assertSeedsPassAndSomeCatch(10, schedule, bug, what);
    }

    /** Runs {@code schedule} over seeds 1..n: every seed passes, and with {@code bug} at least one fails. */
    private static void assertSeedsPassAndSomeCatch(int n, List<Fault.At> schedule, InjectedBug bug, String what) {
        int caught = 0;
        for (long seed = 1; seed <= n; seed++) {
            Simulation.Params p = Simulation.Params.of(seed, 3, 600).withSchedule(schedule);
            assertThat(Simulation.run(p).violations()).as("seed " + seed).isEmpty();
            if (!Simulation.run(p.withBugs(Set.of(bug))).ok()) caught++;
        }
        System.out.println(bug.flag() + " caught by " + caught + " of " + n + " seeds of " + what);
        assertThat(caught).isPositive();
    }

    /**
     * Handovers whose old leader is cut off as soon as the target campaigns, again and again: the old
     * leader must not go on serving lease reads. The same schedule with lease-after-transfer fails.
     */
    @Test
    void transfersWithTheOldLeaderCutOffAreSurvivedAndCatchALeaseKeptAfterTransfer() {
        List<Fault.At> schedule = new java.util.ArrayList<>();
        for (long t = 500; t < 5_500; t += 500) {
            schedule.add(new Fault.At(t, new Fault.Transfer(true)));
            schedule.add(new Fault.At(t + 300, new Fault.Heal()));
        }
        assertTenSeedsPassAndSomeCatch(schedule, InjectedBug.LEASE_AFTER_TRANSFER, "scheduled transfers");
    }

    /** Pre-vote: a follower cut off for 50 election timeouts comes back without raising anyone's term. */
    @Test
    void aLongIsolatedFollowerDoesNotRaiseTheTermWhenItReturns() {
        Simulation.Params quiet = new Simulation.Params(11, 3, 800, Set.of(), List.of(), 1, 1);
        long termWithoutFault = Simulation.run(quiet).maxTerm();
        List<Fault.At> schedule = List.of(
                new Fault.At(1_000, new Fault.Isolate(Fault.FOLLOWER)),
                new Fault.At(6_000, new Fault.Heal()));
        Simulation.Result r = Simulation.run(quiet.withSchedule(schedule));
        assertThat(r.violations()).isEmpty();
        assertThat(r.maxTerm()).isEqualTo(termWithoutFault);
    }

    /**
     * A third of the seeds write values up to the largest the limits allow, and the simulated wire refuses
     * what a real frame cannot carry. Sliced by count alone, AppendEntries to followers that fell behind
     * outgrow the frame and are refused every time: in a cluster of three both followers usually are, so the
     * write probe after healing is what fails (the no-bug seeds of the 500-seed control pass with the same
     * values and limits).
     */
    @Test
    void noByteBudgetSendsMoreThanAFrameAndTheWireRefusesIt() {
        Simulation.Result caught = null;
        for (long seed = 1; seed <= 100 && caught == null; seed++) {
            Simulation.Result r = Simulation.run(Simulation.Params.of(seed, 3, TICKS)
                    .withBugs(Set.of(InjectedBug.NO_BYTE_BUDGET)));
            if (!r.ok()) caught = r;
        }
        assertThat(caught).as("some seed in 100 catches no-byte-budget").isNotNull();
        assertThat(caught.violations()).first().asString().contains("liveness");
        assertThat(caught.trace()).contains("refuse AppendEntries").contains("bytes of entry data, limit");
    }

    /**
     * The catch-up checker's own control: one follower restarts while the others' connections to its old
     * incarnation stay up and deliver nothing. The leader and the other follower commit on without it, so the
     * write probe passes; only the check that every member catches up after healing sees the node of fault
     * tolerance lost. With the fix (the new incarnation's dial replaces the stale connection) no seed fails.
     */
    @Test
    void aFollowerLeftBehindStaleConnectionsIsNamedByTheCatchUpChecker() {
        List<Fault.At> schedule = List.of(new Fault.At(1_000, new Fault.RestartBehindStaleConnections(Fault.FOLLOWER, 500)));
        int named = 0;
        for (long seed = 1; seed <= 10; seed++) {
            Simulation.Params p = Simulation.Params.of(seed, 3, 800).withSchedule(schedule);
            assertThat(Simulation.run(p).violations()).as("seed " + seed).isEmpty();
            Simulation.Result bugged = Simulation.run(p.withBugs(Set.of(InjectedBug.KEEP_STALE_CONNECTIONS)));
            if (bugged.violations().stream().anyMatch(v -> v.contains("does not catch up"))) named++;
        }
        System.out.println("keep-stale-connections: the catch-up checker names the follower in " + named + " of 10 seeds");
        assertThat(named).isPositive();
    }

    @Test
    void noCheckQuorumIsCaughtByTheIsolatedLeaderMonitor() {
        List<Fault.At> schedule = List.of(new Fault.At(1_000, new Fault.Isolate(Fault.LEADER)));
        Simulation.Result r = Simulation.run(Simulation.Params.of(7, 3, 400).withSchedule(schedule)
                .withBugs(Set.of(InjectedBug.NO_CHECK_QUORUM)));
        assertThat(r.violations()).singleElement().asString().contains("check-quorum");
    }
}
