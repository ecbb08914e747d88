package dev.raftkv.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.statistics.Statistics;

/**
 * The checker prunes and rewrites histories in several ways; on tiny histories, compare it with brute force. Half
 * the histories come from a real register with one field of one op then changed, so both verdicts are common.
 */
class OracleAgreementProperties {

    private static final long BUDGET = 10_000;

    @Property(tries = 3000)
    void randomHistories(@ForAll long seed, @ForAll @IntRange(min = 1, max = 7) int size) {
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
        assertAgreement(history);
    }

    @Property(tries = 3000)
    void simulatedHistoriesWithOneCorruption(@ForAll long seed, @ForAll @IntRange(min = 1, max = 6) int size) {
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
        assertAgreement(history);
    }

    private static void assertAgreement(List<Op> history) {
        boolean expected = BruteForceOracle.isLinearizable(history);
        Statistics.collect(expected ? "linearizable" : "not linearizable");
        Statistics.coverage(coverage -> {
            coverage.check("linearizable").percentage(p -> p > 10);
            coverage.check("not linearizable").percentage(p -> p > 10);
        });

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
