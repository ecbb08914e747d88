package dev.raftkv.raft;

import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

import java.util.ArrayDeque;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.Generate.oneOf;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

/**
 * {@link Progress} and {@link Inflights} against a naive model: a list of in-flight last indexes,
 * and match/next moved by the plain rules. Random sequences of sends, acks and rejections, 1,000 of each
 * property; {@code -DQT_SEED=N} replays the seed QuickTheories prints with a failure.
 */
class ProgressProperties {
    private static final int TRIES = 1000;

    sealed interface Action {
    }

    record Send(int count) implements Action {
    }

    record Ack(int back) implements Action {
    }

    record Reject(int back, int hint) implements Action {
    }

    static Gen<List<Action>> actions() {
        Gen<Action> send = integers().between(0, 5).map(Send::new);
        Gen<Action> ack = integers().between(0, 8).map(Ack::new);
        Gen<Action> reject = integers().between(0, 8).zip(integers().between(0, 30), Reject::new);
        return lists().of(oneOf(send, ack, reject)).ofSizeBetween(0, 60);
    }

    @Test
    void progressFollowsTheNaiveModel() {
        qt().withExamples(TRIES).forAll(actions()).checkAssert(ProgressProperties::followsTheNaiveModel);
    }

    private static void followsTheNaiveModel(List<Action> actions) {
        int capacity = 4;
        Progress pr = new Progress(11, capacity, Long.MAX_VALUE, 0);
        pr.match = 10;
        pr.becomeReplicate(0);
        long match = 10;
        long next = 11;
        ArrayDeque<Long> inflight = new ArrayDeque<>();
        for (Action a : actions) {
            if (a instanceof Send s) {
                if (pr.isPaused()) {
                    assertThat(inflight).as("paused only when the window is full").hasSize(capacity);
                    continue;
                }
                long last = next - 1 + s.count();
                pr.sentEntries(last, s.count(), s.count());
                if (s.count() > 0) {
                    inflight.addLast(last);
                    next = last + 1;
                }
            } else if (a instanceof Ack k) {
                long index = Math.max(0, next - 1 - k.back());
                boolean naiveUpdated = index > match;
                assertThat(pr.maybeUpdate(index)).isEqualTo(naiveUpdated);
                match = Math.max(match, index);
                next = Math.max(next, index + 1);
                while (!inflight.isEmpty() && inflight.peekFirst() <= index) inflight.removeFirst();
            } else if (a instanceof Reject r) {
                long rejected = Math.max(0, next - 1 - r.back());
                boolean naiveTaken = rejected > match;
                assertThat(pr.maybeDecreaseTo(rejected, r.hint())).isEqualTo(naiveTaken);
                if (naiveTaken) {
                    next = Math.max(match + 1, Math.min(rejected, r.hint()));
                    assertThat(pr.next).isEqualTo(next);
                    // a real rejection sends the leader back to probing, and the next ack to replicating
                    pr.becomeProbe();
                    pr.becomeReplicate(0);
                    next = match + 1;
                    inflight.clear();
                }
            }
            assertThat(pr.match).isEqualTo(match);
            assertThat(pr.next).isEqualTo(next);
            assertThat(pr.inflights.count()).isEqualTo(inflight.size());
            assertThat(pr.next).isGreaterThan(pr.match);
        }
    }

    @Test
    void probeSendsOneMessageAtATime() {
        qt().withExamples(TRIES).forAll(actions()).checkAssert(ProgressProperties::probesOneAtATime);
    }

    private static void probesOneAtATime(List<Action> actions) {
        Progress pr = new Progress(1, 4, Long.MAX_VALUE, 0);
        boolean waiting = false;
        for (Action a : actions) {
            if (a instanceof Send s) {
                assertThat(pr.isPaused()).isEqualTo(waiting);
                if (!waiting) {
                    pr.sentEntries(pr.next - 1 + s.count(), s.count(), s.count());
                    waiting = true;
                }
            } else {
                // any answer, stale or not, may unblock the probe only if it was for the probe; a heartbeat
                // response does it in Leadership; here an ack at or above next-1 does
                long index = Math.max(0, pr.next - 1);
                if (a instanceof Ack) {
                    pr.maybeUpdate(index);
                    waiting = false;
                }
            }
        }
    }

    static Gen<List<Integer>> sizes() {
        // > 0: send a message of that many bytes; 0: ack the oldest message in flight
        return lists().of(integers().between(0, 3000)).ofSizeBetween(0, 60);
    }

    /** The window is full at its message count or its byte budget, whichever comes first; an empty one takes any message. */
    @Test
    void inflightsAreBoundedInMessagesAndBytes() {
        qt().withExamples(TRIES).forAll(sizes()).checkAssert(ProgressProperties::inflightsMatchTheNaiveWindow);
    }

    private static void inflightsMatchTheNaiveWindow(List<Integer> actions) {
        int capacity = 5;
        long maxBytes = 4000;
        Inflights in = new Inflights(capacity, maxBytes);
        ArrayDeque<long[]> naive = new ArrayDeque<>(); // {lastIndex, bytes}
        long index = 0;
        for (int a : actions) {
            long bytes = naive.stream().mapToLong(x -> x[1]).sum();
            boolean full = naive.size() >= capacity || bytes >= maxBytes;
            assertThat(in.isFull()).isEqualTo(full);
            if (a > 0 && !full) {
                index += 1 + a % 3;
                in.add(index, a);
                naive.addLast(new long[]{index, a});
            } else if (a == 0 && !naive.isEmpty()) {
                long acked = naive.removeFirst()[0];
                in.freeUpTo(acked);
            }
            assertThat(in.count()).isEqualTo(naive.size());
            assertThat(in.bytes()).isEqualTo(naive.stream().mapToLong(x -> x[1]).sum());
        }
    }
}
