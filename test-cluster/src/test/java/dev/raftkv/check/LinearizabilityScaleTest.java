package dev.raftkv.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class LinearizabilityScaleTest {

    private static final RegisterSimulation.Config TEN_CLIENTS_TEN_KEYS =
            new RegisterSimulation.Config(10, 5_000, 10, 2, 2);

    @Test
    void fiveThousandOpsCheckQuickly() {
        List<Op> history = RegisterSimulation.generate(7, TEN_CLIENTS_TEN_KEYS);

        long start = System.nanoTime();
        CheckResult result = LinearizabilityChecker.check(history, 10_000);
        long millis = (System.nanoTime() - start) / 1_000_000;

        assertThat(result.verdict()).isEqualTo(Verdict.LINEARIZABLE);
        assertThat(result.opsChecked()).isGreaterThan(4_500);
        // Typically tens of milliseconds; the bound is loose so that a slow CI machine does not fail it.
        assertThat(millis).isLessThan(3_000);
    }

    @Test
    void oneStaleReadAmongFiveThousandOpsIsFound() {
        List<Op> history = new ArrayList<>(RegisterSimulation.generate(8, TEN_CLIENTS_TEN_KEYS));
        Op finalRead = history.stream()
                .filter(op -> op.kind() == OpKind.GET && op.effectiveOutcome() == Outcome.OK)
                .max(Comparator.comparingLong(Op::invoke))
                .orElseThrow();
        String stale = overwrittenValue(history, finalRead.key());
        history.remove(finalRead);
        history.add(Op.get(99, finalRead.key(), stale, finalRead.invoke(), finalRead.complete(), Outcome.OK));

        CheckResult result = LinearizabilityChecker.check(history, 10_000);

        assertThat(result.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
        assertThat(result.key()).isEqualTo(finalRead.key());
        assertThat(result.explanation()).contains(stale);
    }

    /** A value of {@code key} that only one acknowledged PUT wrote and a later acknowledged PUT overwrote. */
    private static String overwrittenValue(List<Op> history, String key) {
        Map<String, Long> writers = history.stream()
                .filter(op -> op.key().equals(key) && op.kind() != OpKind.GET)
                .collect(Collectors.groupingBy(Op::value, Collectors.counting()));
        List<Op> puts = history.stream()
                .filter(op -> op.key().equals(key) && op.kind() == OpKind.PUT && op.effectiveOutcome() == Outcome.OK)
                .sorted(Comparator.comparingLong(Op::invoke))
                .toList();
        Op last = puts.get(puts.size() - 1);
        return puts.stream()
                .filter(op -> op.complete() < last.invoke() && writers.get(op.value()) == 1)
                .findFirst()
                .orElseThrow()
                .value();
    }
}
