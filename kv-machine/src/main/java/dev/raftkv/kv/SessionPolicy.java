package dev.raftkv.kv;

/**
 * When the de-duplication table forgets a client (Raft dissertation §6.3): a session that has seen no write
 * for {@code ttlMillis} of the session clock expires, and while the table holds more than
 * {@code maxSessions} sessions or {@code maxBytes} of ids and results, the least recently active ones go
 * first. The session clock is the latest time a leader stamped on a command (never a node's own clock, and
 * it never runs backwards), so every replica forgets the same sessions at the same log index. A retry
 * within the window is applied once; one after its session expired would be applied again, so the window
 * is far longer than any client retries (KvClient gives up after 5 s).
 *
 * <p>These are the same on every replica by construction (they are not node flags): a replica that forgot
 * a session another still holds would apply a retry the other refuses.
 */
public record SessionPolicy(long ttlMillis, long maxSessions, long maxBytes) {
    public static final SessionPolicy DEFAULT = new SessionPolicy(10 * 60 * 1000L, 100_000, 64L * 1024 * 1024);

    public SessionPolicy {
        if (ttlMillis < 1 || maxSessions < 1 || maxBytes < 1) throw new IllegalArgumentException("session policy " + this);
    }
}
