package dev.raftkv.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class LinearizabilityProperties {

    private static final long BUDGET = 20_000;

    @Provide
    Arbitrary<RegisterSimulation.Config> configs() {
        // Proving a history wrong takes time exponential in its pending ops at worst; these sizes stay well
        // inside the budget.
        return Combinators.combine(
                Arbitraries.integers().between(1, 8),
                Arbitraries.integers().between(0, 150),
                Arbitraries.integers().between(1, 4),
                Arbitraries.integers().between(0, 20),
                Arbitraries.integers().between(0, 20)
        ).as(RegisterSimulation.Config::new);
    }

    @Property(tries = 500)
    void historiesOfAnAtomicRegisterAreLinearizable(@ForAll long seed,
                                                     @ForAll("configs") RegisterSimulation.Config config) {
        List<Op> history = RegisterSimulation.generate(seed, config);

        CheckResult result = LinearizabilityChecker.check(history, BUDGET);

        assertThat(result.verdict()).as(result.explanation()).isEqualTo(Verdict.LINEARIZABLE);
    }

    @Property(tries = 500)
    void aReadOfAValueNeverWrittenIsCaught(@ForAll long seed, @ForAll("configs") RegisterSimulation.Config config) {
        List<Op> history = new ArrayList<>(RegisterSimulation.generate(seed, config));
        List<Integer> answeredReads = new ArrayList<>();
        for (int i = 0; i < history.size(); i++) {
            Op op = history.get(i);
            if (op.kind() == OpKind.GET && op.effectiveOutcome() == Outcome.OK) {
                answeredReads.add(i);
            }
        }
        // The simulation ends with an answered read of every key, so there is always one to corrupt.
        int victim = answeredReads.get(new Random(seed).nextInt(answeredReads.size()));
        Op read = history.get(victim);
        history.set(victim, Op.get(read.process(), read.key(), RegisterSimulation.NEVER_WRITTEN,
                read.invoke(), read.complete(), Outcome.OK));

        CheckResult result = LinearizabilityChecker.check(history, BUDGET);

        assertThat(result.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
        assertThat(result.key()).isEqualTo(read.key());
        assertThat(result.explanation()).contains(RegisterSimulation.NEVER_WRITTEN);
    }
}
