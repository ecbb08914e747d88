package dev.raftkv.transport;

import dev.raftkv.transport.HandshakeFrames.Challenge;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The rules of the peer handshake, for both ends of a connection. The cookie never travels: each side
 * sends a fresh nonce, and each proves that it knows the cookie with an HMAC-SHA256, keyed by the cookie,
 * over everything both sides said (cluster ids, node ids, both nonces) and its role. The connecting side
 * proves first; the accepting side proves only to a peer that has proven, so a stranger who connects
 * learns nothing about the cookie, and a stranger who is dialed learns one MAC over nonces it will never
 * be offered again. Proofs are compared in constant time.
 *
 * <pre>
 * connecting side                     accepting side
 *   Hello(cluster, from, to, nonceC, incarnation) -->
 *                                   <-- Challenge(cluster, id, nonceS, incarnation) | Refusal
 *   Proof(client MAC) | Refusal     -->
 *                                   <-- Proof(server MAC) | Refusal
 *   (Raft frames from here on)      -->
 * </pre>
 */
final class Handshake {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String LABEL = "raftkv-handshake-" + WireFormat.VERSION;

    private final String selfId;
    private final Set<String> peerIds;
    private final byte[] cookie;
    private final Supplier<String> clusterId;
    /** This transport's incarnation: new at every start, so that peers can tell a restart from a reconnect. */
    private final long incarnation = RANDOM.nextLong();

    /**
     * @param peerIds   read at every check, so a live view lets peers join later
     * @param clusterId read at every check: a node that joins learns its cluster's id after it started
     */
    Handshake(String selfId, Set<String> peerIds, String cookie, Supplier<String> clusterId) {
        this.selfId = selfId;
        this.peerIds = peerIds;
        this.cookie = cookie.getBytes(StandardCharsets.UTF_8);
        this.clusterId = clusterId;
    }

    String selfId() {
        return selfId;
    }

    static byte[] nonce() {
        byte[] n = new byte[WireFormat.NONCE_BYTES];
        RANDOM.nextBytes(n);
        return n;
    }

    /** The connecting side's opening, to the peer it believes it dials. */
    Hello hello(String peerId) {
        return new Hello(clusterId.get(), selfId, peerId, nonce(), incarnation);
    }

    /** The accepting side's answer to an acceptable hello. */
    Challenge challenge() {
        return new Challenge(clusterId.get(), selfId, nonce(), incarnation);
    }

    /** Accepting side: null to answer with a challenge, else why the hello is refused (it never quotes the cookie). */
    String refusal(Hello hello) {
        if (!hello.to().equals(selfId)) return "this is node " + selfId + ", not " + hello.to();
        if (hello.from().equals(selfId)) return "peer claims this node's own id " + selfId;
        if (!peerIds.contains(hello.from())) return "unknown node id " + hello.from();
        return clusterRefusal(hello.clusterId());
    }

    /** Connecting side: null to answer with a proof, else why the dialed node's challenge is refused. */
    String refusal(String dialed, Challenge challenge) {
        if (!challenge.nodeId().equals(dialed)) return "dialed " + dialed + " but node " + challenge.nodeId() + " answered";
        return clusterRefusal(challenge.clusterId());
    }

    private String clusterRefusal(String theirs) {
        String mine = clusterId.get();
        if (mine.equals(theirs)) return null;
        if (mine.isEmpty()) return "this node has not joined a cluster yet (the peer is of cluster " + theirs + ")";
        return "the peer is of cluster " + (theirs.isEmpty() ? "(none yet)" : theirs) + ", this node of cluster " + mine
                + ": they were started as different clusters (different --peers, --bootstrap, or --cluster-id)";
    }

    /** What the connecting side sends to prove it knows the cookie. */
    byte[] clientProof(Hello hello, Challenge challenge) {
        return mac("client", hello, challenge);
    }

    /** What the accepting side sends, once the connecting side has proven. */
    byte[] serverProof(Hello hello, Challenge challenge) {
        return mac("server", hello, challenge);
    }

    /** Constant time: how long the comparison takes says nothing about how much of a guess was right. */
    static boolean matches(byte[] expected, byte[] received) {
        return MessageDigest.isEqual(expected, received);
    }

    private byte[] mac(String role, Hello hello, Challenge challenge) {
        ByteBuf transcript = Unpooled.buffer();
        try {
            // length-prefixed fields, so that no two different transcripts have the same bytes
            WireWriter.writeString(transcript, "label", LABEL + "/" + role, 64);
            WireWriter.writeString(transcript, "cluster id", hello.clusterId(), WireFormat.MAX_CLUSTER_ID_BYTES);
            WireWriter.writeString(transcript, "from", hello.from(), WireFormat.MAX_ID_BYTES);
            WireWriter.writeString(transcript, "to", hello.to(), WireFormat.MAX_ID_BYTES);
            transcript.writeBytes(hello.nonce());
            transcript.writeLong(hello.incarnation());
            WireWriter.writeString(transcript, "cluster id", challenge.clusterId(), WireFormat.MAX_CLUSTER_ID_BYTES);
            WireWriter.writeString(transcript, "node id", challenge.nodeId(), WireFormat.MAX_ID_BYTES);
            transcript.writeBytes(challenge.nonce());
            transcript.writeLong(challenge.incarnation());
            Mac hmac = Mac.getInstance("HmacSHA256");
            hmac.init(new SecretKeySpec(cookie, "HmacSHA256"));
            return hmac.doFinal(ByteBufUtil.getBytes(transcript));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java 17 runtime", e);
        } finally {
            transcript.release();
        }
    }
}
