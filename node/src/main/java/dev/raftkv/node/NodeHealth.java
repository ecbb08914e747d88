package dev.raftkv.node;

import dev.raftkv.raft.server.RaftServer;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The answers of {@code GET /health} and {@code GET /ready} (README, "Metrics and health"), decided from the
 * status the server published at its latest tick, so a load balancer's probe never waits on the Raft loop.
 * What they say is only whether and why not: no member names, addresses or keys, because they answer
 * without a token.
 */
final class NodeHealth {
    /**
     * How far the applied index may trail the commit index for the node to count as healthy: a node further
     * behind answers reads from older state than a client would expect, and is better left out of rotation.
     */
    static final long MAX_APPLY_LAG = 1_000;

    /** An answer: healthy or not, and why not. */
    record Verdict(boolean ok, String reason, Map<String, Object> body) {
        int status() {
            return ok ? 200 : 503;
        }
    }

    private NodeHealth() {
    }

    /** 200 when this node knows a leader and has applied to within {@link #MAX_APPLY_LAG} of its commit index. */
    static Verdict health(RaftServer.Status s) {
        if (s == null) return unhealthy("the node is not running");
        if (s.leader() == null) return unhealthy("no leader known: this node hears too few voters to elect one");
        long lag = Math.max(0, s.commitIndex() - s.appliedIndex());
        if (lag > MAX_APPLY_LAG) {
            return unhealthy("applied index trails the commit index by " + lag + " entries (more than " + MAX_APPLY_LAG + ")");
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "ok");
        body.put("applyLag", lag);
        return new Verdict(true, null, body);
    }

    /** 200 once the node serves: started (its log and machine opened) and it knows a leader to send writes to. */
    static Verdict ready(RaftServer.Status s) {
        if (s == null) return unhealthy("the node is not serving yet (or has stopped)");
        if (s.leader() == null) return unhealthy("no leader known yet");
        return new Verdict(true, null, Map.of("status", "ready"));
    }

    private static Verdict unhealthy(String reason) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "unhealthy");
        body.put("reason", reason);
        return new Verdict(false, reason, body);
    }
}
