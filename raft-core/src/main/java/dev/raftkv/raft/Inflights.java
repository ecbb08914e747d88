package dev.raftkv.raft;

import java.util.ArrayDeque;

/**
 * The last indexes of AppendEntries messages sent to one follower and not yet acknowledged, oldest
 * first. Bounded so that a slow follower holds at most {@code capacity} messages of the leader's.
 */
final class Inflights {
    private final int capacity;
    private final ArrayDeque<Long> lastIndexes = new ArrayDeque<>();

    Inflights(int capacity) {
        this.capacity = capacity;
    }

    void add(long lastIndex) {
        if (isFull()) throw new IllegalStateException("inflights full");
        lastIndexes.addLast(lastIndex);
    }

    /** An ack up to {@code index} frees every message that ended at or before it. */
    void freeUpTo(long index) {
        while (!lastIndexes.isEmpty() && lastIndexes.peekFirst() <= index) lastIndexes.removeFirst();
    }

    boolean isFull() {
        return lastIndexes.size() >= capacity;
    }

    int count() {
        return lastIndexes.size();
    }

    void reset() {
        lastIndexes.clear();
    }
}
