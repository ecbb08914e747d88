package dev.raftkv.sim;

import java.util.List;

/**
 * One thing the nemesis does. Nodes are named by position (0-based) or, with {@link #LEADER}, by
 * "whoever leads when this happens", so a schedule can be written (or generated, or shrunk)
 * before the run.
 */
public sealed interface Fault {
    int LEADER = -1;

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

    /** Starts every crashed node again. */
    record RestartAll() implements Fault {
    }

    record Pause(int node) implements Fault {
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
