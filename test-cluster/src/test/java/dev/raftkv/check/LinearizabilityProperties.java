package dev.raftkv.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * The checker on histories of a simulated atomic register, as they are and with one read corrupted; 500 tries
 * each. {@code -DQT_SEED=N} replays the seed QuickTheories prints with a failure.
 */
class LinearizabilityProperties {

    private static final long BUDGET = 20_000;
    private static final int TRIES = 500;

    static Gen<RegisterSimulation.Config> configs() {
        // Proving a history wrong takes time exponential in its pending ops at worst; these sizes stay well
        // inside the budget.
        return integers().between(1, 8).zip(
                integers().between(0, 150),
                integers().between(1, 4),
                integers().between(0, 20),
                integers().between(0, 20),
                RegisterSimulation.Config::new);
    }

    @Test
    void historiesOfAnAtomicRegisterAreLinearizable() {
        qt().withExamples(TRIES).forAll(longs().all(), configs())
                .checkAssert(LinearizabilityProperties::atomicRegisterIsLinearizable);
    }

    private static void atomicRegisterIsLinearizable(long seed, RegisterSimulation.Config config) {
        List<Op> history = RegisterSimulation.generate(seed, config);

        CheckResult result = LinearizabilityChecker.check(history, BUDGET);

        assertThat(result.verdict()).as(result.explanation()).isEqualTo(Verdict.LINEARIZABLE);
    }

    @Test
    void aReadOfAValueNeverWrittenIsCaught() {
        qt().withExamples(TRIES).forAll(longs().all(), configs())
                .checkAssert(LinearizabilityProperties::neverWrittenReadIsCaught);
    }

    private static void neverWrittenReadIsCaught(long seed, RegisterSimulation.Config config) {
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
