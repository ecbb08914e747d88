package dev.raftkv.sim;

import dev.raftkv.raft.InjectedBug;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.constraints.LongRange;

import java.util.Comparator;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The simulator as a jqwik property: jqwik draws the fault schedule, so a failing schedule shrinks
 * to a short one a person can read. To watch it shrink, switch on a bug:
 * {@code mvn -pl test-cluster test -Dtest=SimulationProperties -Dsim.bug=no-check-quorum}.
 */
class SimulationProperties {
    private static final int NODES = 3;
    private static final int TICKS = 600;

    @Property(tries = 25, shrinking = ShrinkingMode.FULL)
    void anyFaultScheduleKeepsTheClusterSafeAndLive(@ForAll("schedules") List<Fault.At> schedule,
                                                     @ForAll @LongRange(min = 1, max = 1_000_000) long seed) {
        String bug = System.getProperty("sim.bug", "");
        Set<InjectedBug> bugs = bug.isEmpty() ? Set.of() : Set.of(InjectedBug.fromFlag(bug));
        Simulation.Result r = Simulation.run(Simulation.Params.of(seed, NODES, TICKS).withSchedule(schedule).withBugs(bugs));
        assertThat(r.violations()).as("seed %d, schedule %s", seed, schedule).isEmpty();
    }

    @Provide
    Arbitrary<List<Fault.At>> schedules() {
        Arbitrary<Long> at = Arbitraries.longs().between(300, TICKS * Simulation.TICK_MILLIS - 1);
        return Combinators.combine(at, faults()).as(Fault.At::new).list().ofMaxSize(25)
                .map(l -> l.stream().sorted(Comparator.comparingLong(Fault.At::millis)).toList());
    }

    private Arbitrary<Fault> faults() {
        Arbitrary<Integer> node = Arbitraries.integers().between(-1, NODES - 1); // -1: the leader
        Arbitrary<Integer> position = Arbitraries.integers().between(0, NODES - 1);
        Arbitrary<Long> millis = Arbitraries.longs().between(0, 2_000);
        return Arbitraries.oneOf(
                node.map(Fault.Isolate::new),
                position.list().ofMinSize(1).ofMaxSize(NODES / 2).uniqueElements()
                        .map(g -> (Fault) new Fault.Partition(List.of(g))),
                position.map(Fault.Bridge::new),
                Arbitraries.just(new Fault.Heal()),
                node.map(Fault.Crash::new),
                Combinators.combine(node, millis.map(m -> m % 100)).as(Fault.CrashRestart::new),
                Combinators.combine(millis.map(m -> m % 30), millis.map(m -> m % 100)).as(Fault.CrashNextLeader::new),
                millis.map(Fault.KillLeaders::new),
                millis.map(Fault.KillVoters::new),
                Arbitraries.of(true, false).map(Fault.Transfer::new),
                millis.map(Fault.IsolateLeaders::new),
                Combinators.combine(node, millis).as(Fault.Flap::new),
                Arbitraries.just(new Fault.RestartAll()),
                node.map(Fault.Pause::new),
                Arbitraries.just(new Fault.ResumeAll()));
    }
}
