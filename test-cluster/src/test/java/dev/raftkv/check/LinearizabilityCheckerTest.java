package dev.raftkv.check;

import static dev.raftkv.check.Outcome.FAIL;
import static dev.raftkv.check.Outcome.OK;
import static dev.raftkv.check.Outcome.UNKNOWN;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class LinearizabilityCheckerTest {

    private static final long BUDGET = 10_000;

    private static CheckResult check(Op... ops) {
        return LinearizabilityChecker.check(List.of(ops), BUDGET);
    }

    @Test
    void emptyHistoryIsLinearizable() {
        assertThat(LinearizabilityChecker.check(List.of(), BUDGET).verdict()).isEqualTo(Verdict.LINEARIZABLE);
    }

    @Test
    void sequentialHistory() {
        CheckResult r = check(
                Op.get(0, "k", null, 0, 1, OK),
                Op.put(0, "k", "a", 2, 3, OK),
                Op.get(1, "k", "a", 4, 5, OK),
                Op.cas(1, "k", "a", "b", true, 6, 7, OK),
                Op.cas(0, "k", "a", "c", false, 8, 9, OK),
                Op.get(0, "k", "b", 10, 11, OK));
        assertThat(r.verdict()).isEqualTo(Verdict.LINEARIZABLE);
        assertThat(r.key()).isNull();
        assertThat(r.opsChecked()).isEqualTo(6);
    }

    @Test
    void readConcurrentWithTwoWritesMaySeeEither() {
        for (String seen : new String[] {"a", "b"}) {
            CheckResult r = check(
                    Op.put(0, "k", "a", 0, 10, OK),
                    Op.put(1, "k", "b", 1, 9, OK),
                    Op.get(2, "k", seen, 2, 8, OK));
            assertThat(r.verdict()).as("read of %s", seen).isEqualTo(Verdict.LINEARIZABLE);
        }
    }

    @Test
    void readsInOppositeOrdersOfConcurrentWritesAreNotLinearizable() {
        CheckResult r = check(
                Op.put(0, "k", "a", 0, 10, OK),
                Op.put(1, "k", "b", 0, 10, OK),
                Op.get(2, "k", "a", 11, 12, OK),
                Op.get(2, "k", "b", 13, 14, OK),
                Op.get(3, "k", "a", 15, 16, OK));
        assertThat(r.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
    }

    @Test
    void staleReadAfterCompletedWriteIsNotLinearizable() {
        CheckResult r = check(
                Op.put(0, "k", "a", 0, 1, OK),
                Op.put(0, "k", "b", 2, 3, OK),
                Op.get(1, "k", "a", 4, 5, OK));
        assertThat(r.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
        assertThat(r.key()).isEqualTo("k");
        assertThat(r.explanation())
                .contains(">> p1 GET k -> \"a\" [4, 5] OK")
                .contains("p0 PUT k := \"b\" [2, 3] OK");
    }

    @Test
    void touchingIntervalsAreConcurrent() {
        // The write completes at the very tick the read is invoked, so the read may precede it.
        CheckResult r = check(
                Op.put(0, "k", "a", 0, 5, OK),
                Op.get(1, "k", null, 5, 6, OK));
        assertThat(r.verdict()).isEqualTo(Verdict.LINEARIZABLE);

        CheckResult strictlyAfter = check(
                Op.put(0, "k", "a", 0, 4, OK),
                Op.get(1, "k", null, 5, 6, OK));
        assertThat(strictlyAfter.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
    }

    @Test
    void casThatSwappedWithWrongExpectationIsNotLinearizable() {
        CheckResult r = check(
                Op.put(0, "k", "a", 0, 1, OK),
                Op.cas(1, "k", "x", "b", true, 2, 3, OK));
        assertThat(r.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
    }

    @Test
    void casThatRefusedWithRightExpectationIsNotLinearizable() {
        CheckResult r = check(
                Op.put(0, "k", "a", 0, 1, OK),
                Op.cas(1, "k", "a", "b", false, 2, 3, OK));
        assertThat(r.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
    }

    @Test
    void casOnAbsentKeyExpectsNull() {
        CheckResult r = check(
                Op.cas(0, "k", null, "a", true, 0, 1, OK),
                Op.cas(1, "k", null, "b", false, 2, 3, OK),
                Op.get(0, "k", "a", 4, 5, OK));
        assertThat(r.verdict()).isEqualTo(Verdict.LINEARIZABLE);
    }

    @Test
    void unknownWriteObservedLaterIsLinearizable() {
        CheckResult r = check(
                Op.putUnknown(0, "k", "a", 0),
                Op.get(1, "k", null, 1, 2, OK),
                Op.get(1, "k", "a", 100, 101, OK));
        assertThat(r.verdict()).isEqualTo(Verdict.LINEARIZABLE);
    }

    @Test
    void unknownWriteNeverObservedIsLinearizable() {
        CheckResult r = check(
                Op.put(0, "k", "a", 0, 1, OK),
                Op.put(1, "k", "b", 2, 3, UNKNOWN),
                Op.get(2, "k", "a", 4, 5, OK),
                Op.get(2, "k", "a", 6, 7, OK));
        assertThat(r.verdict()).isEqualTo(Verdict.LINEARIZABLE);
    }

    @Test
    void unknownWriteCannotTakeEffectBeforeItsInvoke() {
        CheckResult r = check(
                Op.get(1, "k", "a", 0, 1, OK),
                Op.putUnknown(0, "k", "a", 2));
        assertThat(r.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
    }

    @Test
    void unknownWriteTakesEffectOnceOnly() {
        CheckResult r = check(
                Op.putUnknown(0, "k", "a", 0),
                Op.get(1, "k", "a", 1, 2, OK),
                Op.put(1, "k", "b", 3, 4, OK),
                Op.get(1, "k", "a", 5, 6, OK));
        assertThat(r.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
    }

    @Test
    void opWithoutCompletionIsTreatedAsUnknown() {
        CheckResult r = check(
                Op.put(0, "k", "a", 0, Op.NEVER, OK),
                Op.get(1, "k", null, 1, 2, OK),
                Op.get(1, "k", "a", 3, 4, OK));
        assertThat(r.verdict()).isEqualTo(Verdict.LINEARIZABLE);
    }

    @Test
    void unknownCasOnlySwapsWhenExpectationHolds() {
        CheckResult swapped = check(
                Op.put(0, "k", "a", 0, 1, OK),
                Op.casUnknown(1, "k", "a", "b", 2),
                Op.get(0, "k", "b", 3, 4, OK));
        assertThat(swapped.verdict()).isEqualTo(Verdict.LINEARIZABLE);

        CheckResult cannotSwap = check(
                Op.put(0, "k", "a", 0, 1, OK),
                Op.casUnknown(1, "k", "x", "b", 2),
                Op.get(0, "k", "b", 3, 4, OK));
        assertThat(cannotSwap.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
    }

    @Test
    void readOfValueNeverWrittenIsNotLinearizable() {
        CheckResult r = check(
                Op.put(0, "k", "a", 0, 1, OK),
                Op.get(1, "k", "zzz", 0, 2, OK));
        assertThat(r.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
    }

    @Test
    void observedFailedWriteIsNotLinearizable() {
        CheckResult r = check(
                Op.put(0, "k", "a", 0, 1, FAIL),
                Op.get(1, "k", "a", 2, 3, OK));
        assertThat(r.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
        assertThat(r.opsChecked()).isEqualTo(1);
    }

    @Test
    void failedAndUnansweredReadsAreIgnored() {
        CheckResult r = check(
                Op.put(0, "k", "a", 0, 1, OK),
                Op.get(1, "k", "garbage", 2, 3, FAIL),
                Op.get(1, "k", "garbage", 4, 5, UNKNOWN),
                Op.get(1, "k", "a", 6, 7, OK));
        assertThat(r.verdict()).isEqualTo(Verdict.LINEARIZABLE);
        assertThat(r.opsChecked()).isEqualTo(2);
    }

    @Test
    void keysAreIndependentAndTheFailingKeyIsNamed() {
        CheckResult r = check(
                Op.put(0, "x", "a", 0, 1, OK),
                Op.put(0, "y", "b", 2, 3, OK),
                Op.get(1, "x", "a", 4, 5, OK),
                Op.get(1, "y", "a", 6, 7, OK));
        assertThat(r.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
        assertThat(r.key()).isEqualTo("y");
    }

    @Test
    void explanationIsAWindowAroundTheFailure() {
        List<Op> history = new java.util.ArrayList<>();
        for (int i = 0; i < 100; i++) {
            history.add(Op.put(0, "k", "v" + i, 10L * i, 10L * i + 5, OK));
        }
        history.add(Op.get(1, "k", "v10", 2000, 2001, OK));
        CheckResult r = LinearizabilityChecker.check(history, BUDGET);
        assertThat(r.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
        assertThat(r.explanation())
                .contains(">> p1 GET k -> \"v10\" [2000, 2001] OK")
                .contains("p0 PUT k := \"v99\" [990, 995] OK")
                .doesNotContain("\"v50\"");
    }

    @Test
    void longSequentialHistoryDoesNotOverflowTheStack() {
        List<Op> history = new java.util.ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            history.add(Op.put(0, "k", "v" + i, 4L * i, 4L * i + 1, OK));
            history.add(Op.get(1, "k", "v" + i, 4L * i + 2, 4L * i + 3, OK));
        }
        CheckResult r = LinearizabilityChecker.check(history, BUDGET);
        assertThat(r.verdict()).isEqualTo(Verdict.LINEARIZABLE);
        assertThat(r.opsChecked()).isEqualTo(40_000);
    }
}
