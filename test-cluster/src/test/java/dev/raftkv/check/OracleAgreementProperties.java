package dev.raftkv.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The checker prunes and rewrites histories in several ways; on tiny histories, compare it with brute force. Half
 * the histories come from a real register with one field of one op then changed, so both verdicts are common,
 * and each property checks that they are (more than 10% of its tries each), or it would test one verdict only.
 * 3,000 tries each; {@code -DQT_SEED=N} replays the seed QuickTheories prints with a failure.
 */
class OracleAgreementProperties {

    private static final long BUDGET = 10_000;
    private static final int TRIES = 3000;

    /** How many histories of a run the brute force called linearizable, and how many not. */
    private static final class Verdicts {
        int linearizable;
        int not;

        void assertBothCommon() {
            int total = linearizable + not;
            assertThat(linearizable).as("linearizable histories of %d", total).isGreaterThan(total / 10);
            assertThat(not).as("non-linearizable histories of %d", total).isGreaterThan(total / 10);
        }
    }

    @Test
    void randomHistories() {
        Verdicts verdicts = new Verdicts();
        qt().withExamples(TRIES).forAll(longs().all(), integers().between(1, 7))
                .checkAssert((seed, size) -> assertAgreement(randomHistory(seed, size), verdicts));
        verdicts.assertBothCommon();
    }

    private static List<Op> randomHistory(long seed, int size) {
        Random random = new Random(seed);
        String[] values = {"a", "b", "c", "d", "e", "f"};
        int domain = 2 + random.nextInt(values.length - 1);
        List<Op> history = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            long invoke = random.nextInt(12);
            long complete = invoke + random.nextInt(6);
            int roll = random.nextInt(100);
            Outcome outcome = roll < 55 ? Outcome.OK : roll < 90 ? Outcome.UNKNOWN : Outcome.FAIL;
            if (outcome == Outcome.UNKNOWN && random.nextBoolean()) {
                complete = Op.NEVER;
            }
            String value = values[random.nextInt(domain)];
            String other = random.nextInt(4) == 0 ? null : values[random.nextInt(domain)];
            Op op = switch (random.nextInt(3)) {
                case 0 -> Op.put(i, "k", value, invoke, complete, outcome);
                case 1 -> Op.get(i, "k", other, invoke, complete, outcome);
                default -> Op.cas(i, "k", other, value, random.nextBoolean(), invoke, complete, outcome);
            };
            history.add(op);
        }
        return history;
    }

    @Test
    void simulatedHistoriesWithOneCorruption() {
        Verdicts verdicts = new Verdicts();
        qt().withExamples(TRIES).forAll(longs().all(), integers().between(1, 6))
                .checkAssert((seed, size) -> assertAgreement(corruptedHistory(seed, size), verdicts));
        verdicts.assertBothCommon();
    }

    private static List<Op> corruptedHistory(long seed, int size) {
        Random random = new Random(seed);
        RegisterSimulation.Config config = new RegisterSimulation.Config(1 + random.nextInt(3), size, 1, 40, 10);
        List<Op> history = new ArrayList<>(RegisterSimulation.generate(seed, config));
        int victim = random.nextInt(history.size());
        Op op = history.get(victim);
        String value = random.nextInt(5) == 0 ? null : "v" + random.nextInt(4);
        history.set(victim, random.nextBoolean()
                ? new Op(op.process(), op.key(), op.kind(), value, op.expect(), op.casSucceeded(),
                         op.invoke(), op.complete(), op.outcome())
                : new Op(op.process(), op.key(), op.kind(), op.value(), value, !op.casSucceeded(),
                         op.invoke(), op.complete(), op.outcome()));
        return history;
    }

    private static void assertAgreement(List<Op> history, Verdicts verdicts) {
        boolean expected = BruteForceOracle.isLinearizable(history);
        if (expected) verdicts.linearizable++;
        else verdicts.not++;

        CheckResult result = LinearizabilityChecker.check(history, BUDGET);

        assertThat(result.verdict())
                .as("history:%n%s", describe(history))
                .isEqualTo(expected ? Verdict.LINEARIZABLE : Verdict.NOT_LINEARIZABLE);
        // The checker mostly decides with its first strategy; make sure each one is right on its own.
        for (RegisterSearch.Strategy strategy : RegisterSearch.Strategy.values()) {
            long deadline = System.nanoTime() + BUDGET * 1_000_000;
            RegisterSearch.Status status = RegisterSearch.runOnly(RegisterHistory.of(history), strategy, deadline).status();
            assertThat(status)
                    .as("%s on history:%n%s", strategy, describe(history))
                    .isEqualTo(expected ? RegisterSearch.Status.OK : RegisterSearch.Status.FAIL);
        }
    }

    private static String describe(List<Op> history) {
        StringBuilder sb = new StringBuilder();
        for (Op op : history) {
            sb.append("  ").append(op.describe()).append('\n');
        }
        return sb.toString();
    }
}
