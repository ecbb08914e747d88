package dev.raftkv.raft;

import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.function.ToLongFunction;

/** Majority arithmetic over a set of voters. Pure; checked against a naive version in QuorumProperties. */
public final class Quorum {
    public enum VoteResult { WON, LOST, PENDING }

    private Quorum() {
    }

    public static int majority(int voters) {
        return voters / 2 + 1;
    }

    /** The largest index that a majority of voters hold: the median of their match indexes, rounded down. */
    public static long committedIndex(Set<String> voters, ToLongFunction<String> matchOf) {
        long[] matches = new long[voters.size()];
        int i = 0;
        for (String v : voters) matches[i++] = matchOf.applyAsLong(v);
        Arrays.sort(matches);
        // ascending: with n voters, the element at n - majority is held by at least a majority
        return matches[matches.length - majority(matches.length)];
    }

    /** WON once a majority granted; LOST once a majority can no longer be reached. Non-voters' answers do not count. */
    public static VoteResult voteResult(Set<String> voters, Map<String, Boolean> votes) {
        int granted = 0;
        int rejected = 0;
        for (String v : voters) {
            Boolean vote = votes.get(v);
            if (vote == null) continue;
            if (vote) granted++;
            else rejected++;
        }
        int need = majority(voters.size());
        if (granted >= need) return VoteResult.WON;
        if (rejected > voters.size() - need) return VoteResult.LOST;
        return VoteResult.PENDING;
    }

    public static boolean isQuorum(Set<String> voters, Collection<String> ids) {
        int n = 0;
        for (String v : voters) {
            if (ids.contains(v)) n++;
        }
        return n >= majority(voters.size());
    }
}
