package dev.raftkv.raft;

import java.util.List;

/**
 * What must happen next, in this order (DESIGN.md): persist {@code hardState} (if not null) and
 * {@code entries} (appending at an index the log already holds truncates from there), then send
 * {@code messagesAfterPersist}; {@code messages} may leave at once; apply {@code committed} in order;
 * install {@code snapshot} before applying anything after it; serve {@code reads} once applied;
 * log {@code events}.
 */
public record Ready(
        HardState hardState,
        List<Entry> entries,
        List<Message> messages,
        List<Message> messagesAfterPersist,
        List<Entry> committed,
        SnapshotMeta snapshot,
        List<ReadState> reads,
        List<RaftEvent> events) {

    public static final Ready EMPTY = new Ready(null, List.of(), List.of(), List.of(), List.of(), null, List.of(), List.of());

    public boolean isEmpty() {
        return hardState == null && entries.isEmpty() && messages.isEmpty() && messagesAfterPersist.isEmpty()
                && committed.isEmpty() && snapshot == null && reads.isEmpty() && events.isEmpty();
    }

    public boolean needsPersist() {
        return hardState != null || !entries.isEmpty();
    }
}
