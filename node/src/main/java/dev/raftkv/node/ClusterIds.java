package dev.raftkv.node;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Where a new cluster's id comes from. A cluster of one ({@code --bootstrap}) makes a random one. Nodes
 * started together with {@code --peers} must agree without talking, so theirs is a hash of the member ids
 * and Raft addresses they were given: nodes given different lists are different clusters and refuse each
 * other. {@code --cluster-id} names it outright (what {@code cluster up} and the test harness do, whose
 * nodes may reach each other through proxies at different addresses).
 */
final class ClusterIds {
    private ClusterIds() {
    }

    static String random() {
        return UUID.randomUUID().toString();
    }

    static String fromPeers(Map<String, InetSocketAddress> peers) {
        StringBuilder text = new StringBuilder();
        new TreeMap<>(peers).forEach((id, a) -> text.append(id).append('=').append(a.getHostString()).append(':')
                .append(a.getPort()).append('\n'));
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(text.toString().getBytes(StandardCharsets.UTF_8));
            return "peers-" + HexFormat.of().formatHex(hash, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java 17 runtime", e);
        }
    }
}
