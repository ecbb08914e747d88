package dev.raftkv.transport;

import java.util.function.Supplier;

/**
 * What a node proves to its peers and checks in them: the cluster cookie (proven in the handshake, never
 * sent), the cluster's id (peers of another cluster are refused), and, when {@code tls} is not null,
 * mutual TLS around all of it.
 *
 * @param clusterId read at each handshake: empty until a joining node learns its cluster's id
 */
public record PeerSecurity(String cookie, Supplier<String> clusterId, Tls.NodeFiles tls) {
    public PeerSecurity {
        if (cookie == null || cookie.isEmpty()) throw new IllegalArgumentException("the cluster cookie must not be empty");
        WireWriter.checkString("cookie", cookie, WireFormat.MAX_COOKIE_BYTES);
    }

    /** A cookie alone: no cluster id (every peer has the empty one) and no TLS, as in transport tests. */
    public static PeerSecurity cookie(String cookie) {
        return new PeerSecurity(cookie, () -> "", null);
    }

    /** Checks a cluster id before it is used in a handshake. */
    public static String checkClusterId(String clusterId) {
        WireWriter.checkString("cluster id", clusterId, WireFormat.MAX_CLUSTER_ID_BYTES);
        return clusterId;
    }
}
