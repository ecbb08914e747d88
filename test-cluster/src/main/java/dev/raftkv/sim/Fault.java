package dev.raftkv.sim;

import java.util.List;

/**
 * One thing the nemesis does. Nodes are named by position (0-based) or, with {@link #LEADER} and
 * {@link #FOLLOWER}, by their role when it happens, so a schedule can be written (or generated, or
 * shrunk) before the run.
 */
public sealed interface Fault {
    int LEADER = -1;
    /** "The first node that does not lead when this happens." */
    int FOLLOWER = -2;

    /** Splits the cluster; {@code groups} lists node positions per group; nodes not listed form one more group. */
    record Partition(List<List<Integer>> groups) implements Fault {
    }

    /** Cuts one node (or the leader) off from all others. */
    record Isolate(int node) implements Fault {
    }

    /** Node {@code bridge} sees both halves; the halves do not see each other. */
    record Bridge(int bridge) implements Fault {
    }

    record Heal() implements Fault {
    }

    /** Power cut: the node loses what was not fsynced. */
    record Crash(int node) implements Fault {
    }

    /** Power cut now, and the machine boots again {@code downMillis} later. */
    record CrashRestart(int node, long downMillis) implements Fault {
    }

    /**
     * Power cut, and the disk turns out to have lied about fsync: the node boots {@code downMillis} later
     * without its last durable records, back to before the commit index its hard state says it had made
     * durable, so it knows it lost committed entries it may have acknowledged. The hard state survives. One
     * node at a time: while another node is still missing what it lost, this is a plain power cut.
     */
    record LoseSyncedTail(int node, long downMillis) implements Fault {
    }

    /**
     * Power cut, and the node boots {@code downMillis} later, while every other node's connection to it still
     * looks up but delivers nothing (their sockets to its old incarnation never closed, as seen over Netty).
     * A connection stays so until its sender reconnects to the node or restarts; healing partitions does not
     * end it.
     */
    record RestartBehindStaleConnections(int node, long downMillis) implements Fault {
    }

    /**
     * Waits for the next leader to be elected, then cuts its power {@code afterMillis} later and boots it
     * {@code downMillis} after that: leaders that die young leave the half-replicated logs that
     * Figure 8 of the Raft paper is about.
     */
    record CrashNextLeader(long afterMillis, long downMillis) implements Fault {
    }

    /**
     * For {@code forMillis}, every newly elected leader loses power within a few dozen milliseconds
     * and boots again soon after: a storm of short terms and half-replicated entries.
     */
    record KillLeaders(long forMillis) implements Fault {
    }

    /**
     * For {@code forMillis}, every node that grants a vote loses power within a few milliseconds and
     * boots again soon after: what it promised must survive the crash (its vote, durable before the
     * answer left), or it may vote twice in one term.
     */
    record KillVoters(long forMillis) implements Fault {
    }

    /**
     * For {@code forMillis}, every newly elected leader is cut off from all others a few milliseconds
     * after it wins (Jepsen's "partition the leader"); the previous cut heals.
     */
    record IsolateLeaders(long forMillis) implements Fault {
    }

    /** For {@code forMillis}, the node loses power and boots again every few milliseconds, mid-election included. */
    record Flap(int node, long forMillis) implements Fault {
    }

    /** Starts every crashed node again. */
    /**
     * For {@code forMillis}, the nemesis asks the leader for membership changes every few hundred
     * milliseconds: remove a voter (the leader too), add a removed node back as a learner, promote a
     * learner; sometimes two at once, which a correct leader refuses.
     */
    record ChurnMembership(long forMillis) implements Fault {
    }

    record RestartAll() implements Fault {
    }

    record Pause(int node) implements Fault {
    }

    /**
     * The leader hands leadership to a follower (TimeoutNow, whose election ignores leader stickiness).
     * With {@code isolateOldLeader}, the old leader is cut off just after the TimeoutNow arrived, so it
     * never hears of the new term while clients keep reading from it: a lease it kept would be stale.
     */
    record Transfer(boolean isolateOldLeader) implements Fault {
    }

    record ResumeAll() implements Fault {
    }

    /** A fault at a virtual time in milliseconds. */
    record At(long millis, Fault fault) {
        @Override
        public String toString() {
            return millis + "ms " + fault;
        }
    }
}
