package dev.raftkv.check;

import static dev.raftkv.check.Outcome.OK;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LinearizabilityBudgetTest {

    /**
     * Fully concurrent writes, each read back by a concurrent read, and finally a read of a value nobody wrote:
     * refuting it means visiting every subset of the writes and reads. With 14 pairs that takes minutes; the
     * budget is consulted every few hundred steps.
     */
    private static List<Op> expensiveHistory(String key, int pairs) {
        List<Op> history = new ArrayList<>();
        for (int i = 0; i < pairs; i++) {
            history.add(Op.put(i, key, "v" + i, 0, 100, OK));
            history.add(Op.get(100 + i, key, "v" + i, 0, 100, OK));
        }
        history.add(Op.get(999, key, "never-written", 200, 201, OK));
        return history;
    }

    @Test
    void exhaustedBudgetGivesUnknown() {
        CheckResult result = LinearizabilityChecker.check(expensiveHistory("hard", 14), 0);

        assertThat(result.verdict()).isEqualTo(Verdict.UNKNOWN);
        assertThat(result.key()).isEqualTo("hard");
        assertThat(result.explanation()).contains("budget");
    }

    @Test
    void smallHistoriesAreDecidedEvenWithoutBudget() {
        List<Op> history = List.of(
                Op.put(0, "k", "a", 0, 1, OK),
                Op.get(1, "k", "a", 2, 3, OK));

        assertThat(LinearizabilityChecker.check(history, 0).verdict()).isEqualTo(Verdict.LINEARIZABLE);
    }

    @Test
    void aKeyOutOfBudgetDoesNotHideALaterFailure() {
        List<Op> history = new ArrayList<>(expensiveHistory("hard", 14));
        history.add(Op.put(0, "bad", "a", 0, 1, OK));
        history.add(Op.put(0, "bad", "b", 2, 3, OK));
        history.add(Op.get(1, "bad", "a", 4, 5, OK));

        CheckResult result = LinearizabilityChecker.check(history, 0);

        assertThat(result.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
        assertThat(result.key()).isEqualTo("bad");
    }

    @Test
    void smallerExpensiveHistoryIsRefutedGivenTime() {
        CheckResult result = LinearizabilityChecker.check(expensiveHistory("hard", 8), 20_000);

        assertThat(result.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
    }
}
