package dev.raftkv.node;

import dev.raftkv.raft.ClusterConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Every member's addresses as this node knows them: first from its flags, then from each membership
 * in the log (which wins). Written on the Raft event loop when the membership changes, read from any
 * thread (HTTP forwarding, NOT_LEADER redirects, status), so the map is replaced, never changed.
 */
final class Directory {
    private static final Logger LOG = LoggerFactory.getLogger(Directory.class);

    private volatile Map<String, MemberEndpoint> endpoints;
    private volatile String selfId;
    private volatile MemberEndpoint selfEndpoint;
    /** Told of every member whose raft address is new or moved, so the transport can connect to it. */
    private final BiConsumer<String, String> raftAddressChanged;

    Directory(Map<String, MemberEndpoint> fromFlags, BiConsumer<String, String> raftAddressChanged) {
        this.endpoints = Map.copyOf(fromFlags);
        this.raftAddressChanged = raftAddressChanged;
    }

    /** Takes the addresses a new membership carries; members it does not describe keep what we knew. */
    void update(ClusterConfig members) {
        Map<String, MemberEndpoint> next = new HashMap<>(endpoints);
        members.endpoints().forEach((id, text) -> {
            try {
                MemberEndpoint e = MemberEndpoint.parse(text);
                MemberEndpoint old = next.put(id, e);
                if (old == null || !old.raft().equals(e.raft())) raftAddressChanged.accept(id, e.raft());
            } catch (IllegalArgumentException bad) {
                LOG.warn("membership holds an unreadable endpoint for {} ('{}'): {}", id, text, bad.getMessage());
            }
        });
        endpoints = Map.copyOf(next);
    }

    /** Addresses heard of outside the log (a joining node asks a member); the log's still win later. */
    void learn(Map<String, MemberEndpoint> heard) {
        Map<String, MemberEndpoint> next = new HashMap<>(endpoints);
        heard.forEach((id, e) -> {
            MemberEndpoint old = next.putIfAbsent(id, e);
            if (old == null) raftAddressChanged.accept(id, e.raft());
        });
        endpoints = Map.copyOf(next);
    }

    /**
     * Where this node itself serves, once its ports are bound: it knows better than the log, which holds only
     * the flags' view of it until EndpointPublisher has written its own.
     */
    void self(String id, MemberEndpoint endpoint) {
        this.selfId = id;
        this.selfEndpoint = endpoint;
    }

    MemberEndpoint of(String id) {
        MemberEndpoint self = selfEndpoint;
        return self != null && id.equals(selfId) ? self : endpoints.get(id);
    }

    String httpOf(String id) {
        MemberEndpoint e = of(id);
        return e == null ? null : e.http();
    }

    String clientOf(String id) {
        MemberEndpoint e = of(id);
        return e == null ? null : e.client();
    }
}
