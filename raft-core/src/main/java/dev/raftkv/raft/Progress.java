package dev.raftkv.raft;

/**
 * The leader's view of one follower (etcd's progress tracker, simplified).
 * PROBE: one message at a time until the follower's log position is found.
 * REPLICATE: entries are pipelined, bounded by {@link Inflights} in messages and bytes.
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
    /** Logical tick of the last time this follower campaigned while we led it (see Leadership.followerCampaigns). */
    long lastNotHearingTick = Long.MIN_VALUE / 2;
    /** Logical tick of the last message from this follower; check-quorum reads it. */
    long lastHeardTick;
    final Inflights inflights;
    /**
     * Not 0 once the follower said it repairs lost committed entries (its answers carry this id): until it
     * holds our log up to {@link #repairTarget} ({@link #repairDone}), its acks do not count towards commit.
     */
    long repairId;
    long repairTarget;
    boolean repairDone;

    Progress(long next, int maxInflight, long maxInflightBytes, long nowTick) {
        this.next = next;
        this.inflights = new Inflights(maxInflight, maxInflightBytes);
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

    /**
     * The follower lost entries it had acknowledged (its log now ends below {@link #match}): forget what we
     * believed it holds and probe again from {@code nextIndex}. Commit never goes back, so a lower match is safe.
     */
    void forget(long nextIndex) {
        match = 0;
        next = nextIndex;
        state = State.PROBE;
        probeSent = false;
        pendingSnapshot = 0;
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

    /** True while the follower repairs and does not yet hold what it may have acknowledged before: do not count it. */
    boolean awaitingRepair() {
        return repairId != 0 && !repairDone;
    }

    boolean isPaused() {
        return switch (state) {
            case PROBE -> probeSent;
            case REPLICATE -> inflights.isFull();
            case SNAPSHOT -> true;
        };
    }

    /** Records that {@code count} entries of {@code bytes} in all, up to {@code lastIndex}, were sent. */
    void sentEntries(long lastIndex, int count, long bytes) {
        if (state == State.REPLICATE) {
            if (count > 0) {
                next = lastIndex + 1;
                inflights.add(lastIndex, bytes);
            }
        } else if (state == State.PROBE) {
            probeSent = true;
        }
    }

    @Override
    public String toString() {
        return state + " match=" + match + " next=" + next + " inflight=" + inflights.count() + "/" + inflights.bytes() + "B";
    }
}
