package dev.raftkv.raft;

import java.util.ArrayDeque;

/**
 * The AppendEntries messages sent to one follower and not yet acknowledged, oldest first: each one's
 * last index and entry bytes. Bounded twice, so that a slow follower holds at most {@code capacity}
 * messages of the leader's and, past the one message that fills it, at most {@code maxBytes} bytes:
 * a count alone would let 64 messages of 1 MiB entries pile up in a connection's buffers.
 */
final class Inflights {
    private record Sent(long lastIndex, long bytes) {
    }

    private final int capacity;
    private final long maxBytes;
    private final ArrayDeque<Sent> sent = new ArrayDeque<>();
    private long bytes;

    Inflights(int capacity, long maxBytes) {
        this.capacity = capacity;
        this.maxBytes = maxBytes;
    }

    void add(long lastIndex, long messageBytes) {
        if (isFull()) throw new IllegalStateException("inflights full");
        sent.addLast(new Sent(lastIndex, messageBytes));
        bytes += messageBytes;
    }

    /** An ack up to {@code index} frees every message that ended at or before it. */
    void freeUpTo(long index) {
        while (!sent.isEmpty() && sent.peekFirst().lastIndex() <= index) bytes -= sent.removeFirst().bytes();
    }

    /** Full at {@code capacity} messages or {@code maxBytes} bytes; an empty window always takes one message. */
    boolean isFull() {
        return sent.size() >= capacity || bytes >= maxBytes;
    }

    int count() {
        return sent.size();
    }

    long bytes() {
        return bytes;
    }

    void reset() {
        sent.clear();
        bytes = 0;
    }
}
