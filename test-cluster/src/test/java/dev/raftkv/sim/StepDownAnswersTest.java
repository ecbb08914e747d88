package dev.raftkv.sim;

import dev.raftkv.raft.Role;
import dev.raftkv.raft.server.NoLeaderException;
import dev.raftkv.raft.server.OutcomeUnknownException;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Fail fast, and say why (#10.8), in virtual time on the real RaftServer: a leader that steps down answers
 * the writes it took at once, with "outcome unknown" (they may still commit); a node that knows no leader
 * refuses with how many voters it can hear.
 */
class StepDownAnswersTest {
    private static Throwable failureOf(CompletableFuture<?> f) {
        Throwable t = catchThrowable(f::join);
        return t instanceof CompletionException c ? c.getCause() : t;
    }

    @Test
    void aLeaderCutOffFromItsMajorityAnswersItsPendingWritesWhenItStepsDown() {
        SimCluster c = new SimCluster(3);
        SimNode leader = c.awaitLeader();
        assertThat(c.runUntil(c.put(leader, "k", "before")::isDone, 1_000)).isTrue();

        c.isolate(leader);
        long sent = c.world.now();
        CompletableFuture<Object> pending = c.put(leader, "k", "during");
        // check-quorum steps it down within an election timeout or two; the write must not wait longer
        assertThat(c.runUntil(pending::isDone, 4 * SimCluster.ELECTION_TICKS * SimCluster.TICK_MILLIS))
                .as("answered within a few election timeouts").isTrue();
        assertThat(leader.core().role()).isNotEqualTo(Role.LEADER);
        assertThat(failureOf(pending)).isInstanceOf(OutcomeUnknownException.class)
                .hasMessageContaining(leader.id + " stopped leading term").hasMessageContaining("may still commit");
        System.out.println("the pending write was answered " + (c.world.now() - sent) + " virtual ms after it was sent");
    }

    @Test
    void aNodeWithoutALeaderSaysHowManyVotersItCanReach() {
        SimCluster c = new SimCluster(3);
        SimNode leader = c.awaitLeader();
        c.isolate(leader);
        // long enough to step down, forget the leader and stop hearing anyone
        c.run(6 * SimCluster.ELECTION_TICKS * SimCluster.TICK_MILLIS);
        assertThat(leader.core().leader()).isNull();

        CompletableFuture<Object> write = c.put(leader, "k", "v");
        c.run(SimCluster.TICK_MILLIS);
        assertThat(failureOf(write)).isInstanceOf(NoLeaderException.class)
                .hasMessageStartingWith("no leader: 1 of 3 voters reachable")
                .hasMessageContaining("a majority (2) is needed");
        assertThat(((NoLeaderException) failureOf(write)).reachableVoters()).isEqualTo(1);

        CompletableFuture<Object> read = leader.server().read(dev.raftkv.kv.KvCodec.encodeGet("k"));
        c.run(SimCluster.TICK_MILLIS);
        assertThat(failureOf(read)).isInstanceOf(NoLeaderException.class);

        // the other two still hear each other: no leader among them would say "2 of 3", but they have one
        SimNode other = c.followersOf(leader).get(0);
        assertThat(other.core().leader()).isNotNull();
    }
}
