package dev.raftkv.check;

import static dev.raftkv.check.Outcome.FAIL;
import static dev.raftkv.check.Outcome.OK;
import static dev.raftkv.check.Outcome.UNKNOWN;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LostWriteCheckerTest {

    @Test
    void acknowledgedWriteMissingAtTheEndIsReported() {
        List<Op> history = List.of(
                Op.put(0, "k", "a", 0, 1, OK),
                Op.put(1, "k", "b", 2, 3, OK));
        List<String> lost = LostWriteChecker.check(history, Map.of("k", "a"));
        assertThat(lost).singleElement().asString()
                .contains("p1 PUT k := \"b\" [2, 3] OK")
                .contains("final value of \"k\" is \"a\"");
    }

    @Test
    void writeOverwrittenByALaterWriteIsNotReported() {
        List<Op> history = List.of(
                Op.put(0, "k", "a", 0, 1, OK),
                Op.put(1, "k", "b", 2, 3, OK));
        assertThat(LostWriteChecker.check(history, Map.of("k", "b"))).isEmpty();
    }

    @Test
    void concurrentWritesMayLandInEitherOrder() {
        List<Op> history = List.of(
                Op.put(0, "k", "a", 0, 10, OK),
                Op.put(1, "k", "b", 5, 6, OK));
        assertThat(LostWriteChecker.check(history, Map.of("k", "a"))).isEmpty();
        assertThat(LostWriteChecker.check(history, Map.of("k", "b"))).isEmpty();
    }

    @Test
    void writeCompletingAtTheInvokeTimeCountsAsConcurrent() {
        List<Op> history = List.of(
                Op.put(0, "k", "a", 0, 5, OK),
                Op.put(1, "k", "b", 5, 6, OK));
        assertThat(LostWriteChecker.check(history, Map.of("k", "a"))).isEmpty();
    }

    @Test
    void unknownWriteMayExplainTheFinalValue() {
        List<Op> history = List.of(
                Op.putUnknown(0, "k", "u", 0),
                Op.put(1, "k", "b", 10, 11, OK));
        assertThat(LostWriteChecker.check(history, Map.of("k", "u"))).isEmpty();
    }

    @Test
    void failedOrRefusedWritesDoNotExplainTheFinalValue() {
        List<Op> history = List.of(
                Op.put(0, "k", "a", 0, 1, OK),
                Op.put(1, "k", "f", 2, 3, FAIL),
                Op.cas(1, "k", "a", "r", false, 4, 5, OK));
        assertThat(LostWriteChecker.check(history, Map.of("k", "f"))).hasSize(1);
        assertThat(LostWriteChecker.check(history, Map.of("k", "r"))).hasSize(1);
    }

    @Test
    void swappedCasIsAnAcknowledgedWriteAndUnknownCasAPossibleOne() {
        List<Op> history = List.of(
                Op.cas(0, "k", null, "a", true, 0, 1, OK),
                Op.cas(1, "k", "a", "b", false, 2, 3, UNKNOWN));
        assertThat(LostWriteChecker.check(history, Map.of("k", "b"))).isEmpty();
        assertThat(LostWriteChecker.check(history, Map.of())).singleElement().asString()
                .contains("CAS k absent -> \"a\" (swapped)")
                .contains("is absent");
    }

    @Test
    void onlyWritesToTheSameKeyCount() {
        List<Op> history = List.of(
                Op.put(0, "x", "a", 0, 1, OK),
                Op.put(0, "y", "b", 2, 3, OK));
        assertThat(LostWriteChecker.check(history, Map.of("x", "b", "y", "b"))).hasSize(1);
    }

    @Test
    void unacknowledgedWritesAreNeverReported() {
        List<Op> history = List.of(
                Op.putUnknown(0, "k", "u", 0),
                Op.put(1, "k", "f", 1, 2, FAIL),
                Op.get(2, "k", "zzz", 3, 4, OK));
        assertThat(LostWriteChecker.check(history, Map.of())).isEmpty();
    }
}
