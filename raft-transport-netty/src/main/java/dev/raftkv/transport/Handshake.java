package dev.raftkv.transport;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Set;

/** What the accepting side checks in a {@link Hello}: that a known peer sent it, with the cluster's cookie. */
final class Handshake {
    private final String selfId;
    private final Set<String> peerIds;
    private final byte[] cookie;

    /** @param peerIds read at every check, so a live view lets peers join later */
    Handshake(String selfId, Set<String> peerIds, String cookie) {
        this.selfId = selfId;
        this.peerIds = peerIds;
        this.cookie = cookie.getBytes(StandardCharsets.UTF_8);
    }

    /** @return null to accept, else why the hello is refused (for the log; it never quotes the cookie) */
    String refusal(Hello hello) {
        // constant time, so that response timing does not reveal how much of a guessed cookie was right
        if (!MessageDigest.isEqual(cookie, hello.cookie().getBytes(StandardCharsets.UTF_8))) {
            return "wrong cluster cookie (from a node calling itself " + hello.nodeId() + ")";
        }
        if (hello.nodeId().equals(selfId)) return "peer claims this node's own id " + selfId;
        if (!peerIds.contains(hello.nodeId())) return "unknown node id " + hello.nodeId();
        return null;
    }
}
