package dev.raftkv.raft;

/**
 * The leader's view of one follower (etcd's progress tracker, simplified).
 * PROBE: one message at a time until the follower's log position is found.
 * REPLICATE: entries are pipelined, bounded by {@link Inflights}.
 * SNAPSHOT: a snapshot is on its way; nothing else is sent until it is acknowledged.
 */
final class Progress {
    enum State { PROBE, REPLICATE, SNAPSHOT }

    long match;
    long next;
    State state = State.PROBE;
    /** In PROBE, a message is out and we wait for its answer (or a heartbeat response) before sending another. */
    boolean probeSent;
    long pendingSnapshot;
    /** Logical tick of the last time this follower's replication moved (state change or new ack). */
    long lastProgressTick;
    /** Logical tick of the last message from this follower; check-quorum reads it. */
    long lastHeardTick;
    final Inflights inflights;

    Progress(long next, int maxInflight, long nowTick) {
        this.next = next;
        this.inflights = new Inflights(maxInflight);
        this.lastHeardTick = nowTick;
    }

    void becomeProbe() {
        // after a snapshot, resume right after it; otherwise right after what is known to match
        next = state == State.SNAPSHOT ? Math.max(match + 1, pendingSnapshot + 1) : match + 1;
        state = State.PROBE;
        probeSent = false;
        pendingSnapshot = 0;
        inflights.reset();
    }

    void becomeReplicate(long nowTick) {
        state = State.REPLICATE;
        lastProgressTick = nowTick;
        next = match + 1;
        probeSent = false;
        inflights.reset();
    }

    void becomeSnapshot(long snapshotIndex, long nowTick) {
        state = State.SNAPSHOT;
        lastProgressTick = nowTick;
        pendingSnapshot = snapshotIndex;
        probeSent = false;
        inflights.reset();
    }

    /** A successful ack up to {@code index}. Returns true if it taught us something new. */
    boolean maybeUpdate(long index) {
        boolean updated = false;
        if (index > match) {
            match = index;
            updated = true;
        }
        next = Math.max(next, index + 1);
        probeSent = false;
        inflights.freeUpTo(index);
        return updated;
    }

    /**
     * A rejection of the message whose previous index was {@code rejected}; {@code hint} is where the
     * follower suggests to try. Returns false if the rejection is stale and must be ignored.
     */
    boolean maybeDecreaseTo(long rejected, long hint) {
        if (state == State.REPLICATE) {
            if (rejected <= match) return false;
            next = Math.max(match + 1, Math.min(rejected, hint));
            return true;
        }
        if (next - 1 != rejected) return false;
        next = Math.max(match + 1, Math.min(rejected, hint));
        probeSent = false;
        return true;
    }

    /**
     * True if messages are out (entries or a snapshot) but nothing came back for {@code ticks}, while
     * the follower answers heartbeats: what we sent was lost, and only a fresh probe will find out.
     */
    boolean isStalled(long nowTick, int ticks) {
        boolean waiting = state == State.SNAPSHOT || (state == State.REPLICATE && inflights.count() > 0);
        return waiting && nowTick - lastProgressTick >= ticks;
    }

    boolean isPaused() {
        return switch (state) {
            case PROBE -> probeSent;
            case REPLICATE -> inflights.isFull();
            case SNAPSHOT -> true;
        };
    }

    /** Records that entries up to {@code lastIndex} were sent. */
    void sentEntries(long lastIndex, int count) {
        if (state == State.REPLICATE) {
            if (count > 0) {
                next = lastIndex + 1;
                inflights.add(lastIndex);
            }
        } else if (state == State.PROBE) {
            probeSent = true;
        }
    }

    @Override
    public String toString() {
        return state + " match=" + match + " next=" + next + " inflight=" + inflights.count();
    }
}
