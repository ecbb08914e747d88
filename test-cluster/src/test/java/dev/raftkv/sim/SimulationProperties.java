package dev.raftkv.sim;

import dev.raftkv.raft.InjectedBug;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.Generate.constant;
import static org.quicktheories.generators.Generate.oneOf;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

/**
 * The simulator as a property: QuickTheories draws the fault schedule, so a failing schedule shrinks
 * to a short one a person can read (QuickTheories shrinks the random draws the generators map from, so a
 * shorter list, earlier times and smaller numbers come out by themselves). To watch it shrink, switch on a bug:
 * {@code mvn -pl test-cluster -am test -Dtest=SimulationProperties -Dsurefire.failIfNoSpecifiedTests=false
 * -Dsim.bug=no-check-quorum}; {@code -DQT_SEED=N} replays the seed printed with a failure.
 */
class SimulationProperties {
    private static final int NODES = 3;
    private static final int TICKS = 600;
    private static final int TRIES = 25;

    @Test
    void anyFaultScheduleKeepsTheClusterSafeAndLive() {
        String bug = System.getProperty("sim.bug", "");
        Failures failures = new Failures(bug.isEmpty() ? Set.of() : Set.of(InjectedBug.fromFlag(bug)));
        try {
            qt().withExamples(TRIES).forAll(schedules(), longs().between(1, 1_000_000)).checkAssert(failures::check);
        } catch (AssertionError e) {
            throw new AssertionError("one-minimal failing schedule: " + failures.minimal() + "\n" + e.getMessage(), e);
        }
    }

    /**
     * The control for the shrinking itself: with check-quorum switched off, the failing schedule the property
     * reports must be one a person reads at a glance.
     */
    @Test
    void aFailingScheduleShrinksToOneFault() {
        Failures failures = new Failures(Set.of(InjectedBug.NO_CHECK_QUORUM));
        Throwable failure = catchThrowable(() -> qt().withFixedSeed(20261204).withExamples(TRIES)
                .forAll(schedules(), longs().between(1, 1_000_000)).checkAssert(failures::check));
        assertThat(failure).as("no-check-quorum must be caught").isNotNull();
        assertThat(failures.minimal().schedule()).as("shrunk schedule").hasSize(1);
    }

    /** A schedule and seed that failed. */
    record Failure(List<Fault.At> schedule, long seed) {
    }

    /**
     * Runs each example and keeps the shortest failure QuickTheories reached. Its shrinking is random and can stop
     * at a schedule with a fault too many; {@link #minimal} then drops faults one at a time while the run still
     * fails, so what is reported has no fault it does not need.
     */
    static final class Failures {
        private final Set<InjectedBug> bugs;
        private Failure shortest;

        Failures(Set<InjectedBug> bugs) {
            this.bugs = bugs;
        }

        void check(List<Fault.At> schedule, long seed) {
            List<String> violations = run(schedule, seed);
            if (!violations.isEmpty() && (shortest == null || schedule.size() < shortest.schedule().size())) {
                shortest = new Failure(schedule, seed);
            }
            assertThat(violations).as("seed %d, schedule %s", seed, schedule).isEmpty();
        }

        Failure minimal() {
            List<Fault.At> schedule = new ArrayList<>(shortest.schedule());
            for (int i = schedule.size() - 1; i >= 0 && schedule.size() > 1; i--) {
                List<Fault.At> without = new ArrayList<>(schedule);
                without.remove(i);
                if (!run(without, shortest.seed()).isEmpty()) schedule = without;
            }
            return new Failure(List.copyOf(schedule), shortest.seed());
        }

        private List<String> run(List<Fault.At> schedule, long seed) {
            return Simulation.run(Simulation.Params.of(seed, NODES, TICKS).withSchedule(schedule).withBugs(bugs)).violations();
        }
    }

    /**
     * Up to 25 faults in time order. Each slot may also hold no fault, and that is what a slot shrinks to
     * ({@code oneOf} shrinks towards its first choice): QuickTheories shortens a list from its end only, so
     * without the empty choice a fault early in a failing schedule could never be dropped.
     */
    static Gen<List<Fault.At>> schedules() {
        Gen<Long> at = longs().between(300, TICKS * Simulation.TICK_MILLIS - 1);
        Gen<Optional<Fault.At>> slot = at.zip(faults(), (millis, fault) -> fault.map(f -> new Fault.At(millis, f)));
        return lists().of(slot).ofSizeBetween(0, 25).map(l -> l.stream().flatMap(Optional::stream)
                .sorted(Comparator.comparingLong(Fault.At::millis)).toList());
    }

    private static Gen<Optional<Fault>> faults() {
        Gen<Integer> node = integers().between(-1, NODES - 1); // -1: the leader
        Gen<Integer> position = integers().between(0, NODES - 1);
        Gen<Long> millis = longs().between(0, 2_000);
        return oneOf(
                constant(Optional.empty()),
                some(node.map(Fault.Isolate::new)),
                some(lists().of(position).ofSizeBetween(1, NODES / 2)
                        .map(g -> new Fault.Partition(List.of(g.stream().distinct().toList())))),
                some(position.map(Fault.Bridge::new)),
                some(constant(new Fault.Heal())),
                some(node.map(Fault.Crash::new)),
                some(node.zip(millis.map(m -> m % 100), Fault.CrashRestart::new)),
                some(millis.map(m -> m % 30).zip(millis.map(m -> m % 100), Fault.CrashNextLeader::new)),
                some(millis.map(Fault.KillLeaders::new)),
                some(millis.map(Fault.KillVoters::new)),
                some(booleans().all().map(Fault.Transfer::new)),
                some(millis.map(Fault.IsolateLeaders::new)),
                some(node.zip(millis, Fault.Flap::new)),
                some(constant(new Fault.RestartAll())),
                some(node.map(Fault.Pause::new)),
                some(constant(new Fault.ResumeAll())));
    }

    private static Gen<Optional<Fault>> some(Gen<? extends Fault> fault) {
        return fault.map(Optional::of);
    }
}
