package dev.raftkv.raft;

import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

/**
 * {@link Quorum} against naive definitions (etcd's quorum/quick_test.go does the same), 1,000 tries each.
 * QuickTheories prints the seed of a failure; {@code -DQT_SEED=N} replays it.
 */
class QuorumProperties {
    private static final int TRIES = 1000;

    record Voting(Set<String> voters, Map<String, Long> matches, Map<String, Boolean> votes) {
    }

    /** One to nine voters, and two extra ids that are not voters: their answers must not count. */
    static Gen<Voting> votings() {
        return integers().between(1, 9).flatMap(n -> {
            Gen<List<Long>> matches = lists().of(longs().between(0, 20)).ofSize(n + 2);
            Gen<List<Integer>> votes = lists().of(integers().between(0, 2)).ofSize(n + 2);
            return matches.zip(votes, (ms, vs) -> voting(n, ms, vs));
        });
    }

    private static Voting voting(int n, List<Long> ms, List<Integer> vs) {
        Set<String> voters = new TreeSet<>();
        for (int i = 0; i < n; i++) voters.add("v" + i);
        Map<String, Long> m = new HashMap<>();
        Map<String, Boolean> v = new HashMap<>();
        for (int i = 0; i < n + 2; i++) {
            m.put("v" + i, ms.get(i));
            if (vs.get(i) < 2) v.put("v" + i, vs.get(i) == 1); // 2: no answer yet
        }
        return new Voting(voters, m, v);
    }

    /** Naive: the largest index i such that a majority of voters have match >= i. */
    @Test
    void committedIndexIsTheLargestIndexAMajorityHolds() {
        qt().withExamples(TRIES).forAll(votings()).checkAssert(QuorumProperties::committedIndexMatchesNaive);
    }

    private static void committedIndexMatchesNaive(Voting v) {
        long naive = 0;
        for (long i = 0; i <= 20; i++) {
            long idx = i;
            long holders = v.voters().stream().filter(id -> v.matches().get(id) >= idx).count();
            if (holders > v.voters().size() / 2) naive = i;
        }
        assertThat(Quorum.committedIndex(v.voters(), id -> v.matches().get(id))).isEqualTo(naive);
    }

    /** Naive: WON if granted > n/2; LOST if even all missing votes granted could not reach that. */
    @Test
    void voteResultMatchesCounting() {
        qt().withExamples(TRIES).forAll(votings()).checkAssert(QuorumProperties::voteResultMatchesNaive);
    }

    private static void voteResultMatchesNaive(Voting v) {
        int granted = 0;
        int missing = 0;
        for (String id : v.voters()) {
            Boolean b = v.votes().get(id);
            if (b == null) missing++;
            else if (b) granted++;
        }
        int n = v.voters().size();
        Quorum.VoteResult expected = 2 * granted > n ? Quorum.VoteResult.WON
                : 2 * (granted + missing) <= n ? Quorum.VoteResult.LOST : Quorum.VoteResult.PENDING;
        assertThat(Quorum.voteResult(v.voters(), v.votes())).isEqualTo(expected);
    }

    @Test
    void isQuorumMeansMoreThanHalfOfTheVoters() {
        qt().withExamples(TRIES).forAll(votings()).checkAssert(QuorumProperties::isQuorumMatchesNaive);
    }

    private static void isQuorumMatchesNaive(Voting v) {
        Set<String> granted = new HashSet<>();
        v.votes().forEach((id, yes) -> {
            if (yes) granted.add(id);
        });
        long count = v.voters().stream().filter(granted::contains).count();
        assertThat(Quorum.isQuorum(v.voters(), granted)).isEqualTo(2 * count > v.voters().size());
    }
}
