package dev.raftkv.node;

import dev.raftkv.transport.PeerSecurity;
import dev.raftkv.transport.Tls;

/**
 * A node's identity and secrets beyond the cookie: the cluster id it was told to start with (null: derive
 * it from --peers, make one at --bootstrap, learn it when joining, or read it from the data directory),
 * its TLS files (null: plain TCP on every port), and the bearer tokens its HTTP and client ports accept
 * (null: none). A joining node uses the admin token to ask to be added.
 */
public record NodeSecurity(String clusterId, Tls.NodeFiles tls, String clientToken, String adminToken) {
    public static final NodeSecurity NONE = new NodeSecurity(null, null, null, null);

    public NodeSecurity {
        if (clusterId != null) PeerSecurity.checkClusterId(clusterId);
        if (clusterId != null && clusterId.isEmpty()) throw new IllegalArgumentException("--cluster-id must not be empty");
        tokens(clientToken, adminToken); // refuses a client token without an admin token
    }

    public Tokens tokens() {
        return tokens(clientToken, adminToken);
    }

    private static Tokens tokens(String client, String admin) {
        return client == null && admin == null ? Tokens.NONE : new Tokens(client, admin);
    }

    public NodeSecurity withTls(Tls.NodeFiles files) {
        return new NodeSecurity(clusterId, files, clientToken, adminToken);
    }

    public NodeSecurity withTokens(String client, String admin) {
        return new NodeSecurity(clusterId, tls, client, admin);
    }

    @Override
    public String toString() {
        return "NodeSecurity[cluster " + clusterId + ", tls " + (tls != null) + ", " + tokens() + "]"; // never the tokens
    }
}
