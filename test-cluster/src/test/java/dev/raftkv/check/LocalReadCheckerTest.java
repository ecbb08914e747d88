package dev.raftkv.check;

import dev.raftkv.check.LocalReadChecker.LocalRead;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class LocalReadCheckerTest {
    /** "a" is written, then (after it completed) "b". */
    private static final List<Op> WRITES = List.of(
            Op.put(1, "k", "a", 0, 10, Outcome.OK),
            Op.put(2, "k", "b", 20, 30, Outcome.OK),
            Op.put(3, "k", "refused", 5, 8, Outcome.FAIL),
            Op.cas(4, "k", "zzz", "not-swapped", false, 5, 9, Outcome.OK));

    private static LocalRead read(String node, String value, long invoke, long complete) {
        return new LocalRead(node, 9, "k", value, invoke, complete);
    }

    private static LocalReadChecker.Result check(LocalRead... reads) {
        return LocalReadChecker.check(WRITES, List.of(reads), Map.of());
    }

    @Test
    void staleButForwardReadsPass() {
        LocalReadChecker.Result r = check(read("n1", null, 1, 2), read("n1", "a", 12, 13), read("n1", "a", 31, 32),
                read("n1", "b", 40, 41), read("n2", "a", 50, 51));
        assertThat(r.violations()).isEmpty();
        assertThat(r.checked()).isEqualTo(5);
    }

    @Test
    void aValueWhoseWriteWasRefusedOrNeverMadeIsCaught() {
        assertThat(check(read("n1", "refused", 12, 13)).violations()).singleElement().asString().contains("not applied");
        assertThat(check(read("n1", "not-swapped", 12, 13)).violations()).singleElement().asString().contains("not applied");
        assertThat(check(read("n1", "nobody", 12, 13)).violations()).singleElement().asString().contains("nobody wrote");
    }

    @Test
    void oneNodeGoingBackwardsIsCaught() {
        assertThat(check(read("n1", "b", 40, 45), read("n1", "a", 50, 55)).violations())
                .singleElement().asString().contains("went backwards at n1");
        assertThat(check(read("n1", "a", 40, 45), read("n1", null, 50, 55)).violations())
                .singleElement().asString().contains("absent after a value");
    }

    @Test
    void differentNodesOverlappingReadsAndRestartsMayDisagree() {
        assertThat(check(read("n1", "b", 40, 45), read("n2", "a", 50, 55)).violations()).as("two nodes").isEmpty();
        assertThat(check(read("n1", "b", 40, 55), read("n1", "a", 50, 60)).violations()).as("overlapping").isEmpty();
        assertThat(LocalReadChecker.check(WRITES, List.of(read("n1", "b", 40, 45), read("n1", "a", 50, 55)),
                Map.of("n1", List.of(47L))).violations()).as("n1 restarted in between").isEmpty();
    }

    @Test
    void writesWhoseOrderIsUnknownMayBeSeenEitherWay() {
        List<Op> concurrent = List.of(Op.put(1, "k", "a", 0, 25, Outcome.OK), Op.put(2, "k", "b", 20, 30, Outcome.UNKNOWN));
        assertThat(LocalReadChecker.check(concurrent, List.of(read("n1", "b", 40, 45), read("n1", "a", 50, 55)), Map.of())
                .violations()).isEmpty();
    }
}
