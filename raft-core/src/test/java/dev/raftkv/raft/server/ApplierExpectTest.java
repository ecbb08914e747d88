package dev.raftkv.raft.server;

import dev.raftkv.raft.ClusterConfig;
import dev.raftkv.raft.Entry;
import dev.raftkv.raft.snapshot.InMemorySnapshotStore;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Two proposals waiting at one index (Applier.expect): the older term's was replaced and is answered at once. */
class ApplierExpectTest {
    private final Applier applier = new Applier(new LoneLeader.RecordingMachine(), new InMemorySnapshotStore(), 0, 0, meta -> { });

    @Test
    void aLaterTermsProposalAtTheSameIndexAnswersTheOlderOneNotApplied() {
        CompletableFuture<Object> lostWithLeadership = new CompletableFuture<>();
        CompletableFuture<Object> reused = new CompletableFuture<>();
        applier.expect(2, 1, lostWithLeadership);
        applier.expect(2, 3, reused);

        assertThat(lostWithLeadership).isCompletedExceptionally();
        assertThatThrownBy(lostWithLeadership::join).hasCauseInstanceOf(NotAppliedException.class)
                .hasMessageContaining("entry 2 was replaced");

        applier.apply(List.of(Entry.normal(1, 1, "a".getBytes()), Entry.normal(3, 2, "b".getBytes())), ClusterConfig.ofVoters("n1"));
        assertThat(reused).isCompletedWithValue(2L);
    }

    @Test
    void twoProposalsAtOneIndexOfOneTermAreABug() {
        CompletableFuture<Object> first = new CompletableFuture<>();
        applier.expect(2, 3, first);
        assertThatThrownBy(() -> applier.expect(2, 3, new CompletableFuture<>())).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("index 2 of term 3");
        assertThatThrownBy(() -> applier.expect(2, 2, new CompletableFuture<>())).isInstanceOf(IllegalStateException.class);
        assertThat(first).as("the proposal that was there still waits for its entry").isNotDone();
    }
}
