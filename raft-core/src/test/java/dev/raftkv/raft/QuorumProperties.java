package dev.raftkv.raft;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link Quorum} against naive definitions (etcd's quorum/quick_test.go does the same). */
class QuorumProperties {
    record Voting(Set<String> voters, Map<String, Long> matches, Map<String, Boolean> votes) {
    }

    @Provide
    Arbitrary<Voting> votings() {
        Arbitrary<Integer> size = Arbitraries.integers().between(1, 9);
        return size.flatMap(n -> {
            Set<String> voters = new TreeSet<>();
            for (int i = 0; i < n; i++) voters.add("v" + i);
            Arbitrary<List<Long>> matches = Arbitraries.longs().between(0, 20).list().ofSize(n + 2);
            Arbitrary<List<Integer>> votes = Arbitraries.integers().between(0, 2).list().ofSize(n + 2);
            return Combinators.combine(matches, votes).as((ms, vs) -> {
                Map<String, Long> m = new HashMap<>();
                Map<String, Boolean> v = new HashMap<>();
                // two extra ids that are not voters: their answers must not count
                for (int i = 0; i < n + 2; i++) {
                    m.put("v" + i, ms.get(i));
                    if (vs.get(i) < 2) v.put("v" + i, vs.get(i) == 1);
                }
                return new Voting(voters, m, v);
            });
        });
    }

    /** Naive: the largest index i such that a majority of voters have match >= i. */
    @Property
    void committedIndexIsTheLargestIndexAMajorityHolds(@ForAll("votings") Voting v) {
        long naive = 0;
        for (long i = 0; i <= 20; i++) {
            long idx = i;
            long holders = v.voters().stream().filter(id -> v.matches().get(id) >= idx).count();
            if (holders > v.voters().size() / 2) naive = i;
        }
        assertThat(Quorum.committedIndex(v.voters(), id -> v.matches().get(id))).isEqualTo(naive);
    }

    /** Naive: WON if granted > n/2; LOST if even all missing votes granted could not reach that. */
    @Property
    void voteResultMatchesCounting(@ForAll("votings") Voting v) {
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

    @Property
    void isQuorumMeansMoreThanHalfOfTheVoters(@ForAll("votings") Voting v) {
        Set<String> granted = new HashSet<>();
        v.votes().forEach((id, yes) -> {
            if (yes) granted.add(id);
        });
        long count = v.voters().stream().filter(granted::contains).count();
        assertThat(Quorum.isQuorum(v.voters(), granted)).isEqualTo(2 * count > v.voters().size());
    }
}
