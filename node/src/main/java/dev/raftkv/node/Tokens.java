package dev.raftkv.node;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The bearer tokens a node accepts: a client token for reads and writes, an admin token for everything
 * (membership, leadership transfer, test-only endpoints) as well. With neither, every caller may do
 * everything (the node says so at start-up). An admin token alone protects the admin operations and leaves
 * reads and writes open; a client token alone is refused, since it would leave the admin operations more
 * open than the data. Tokens are compared in constant time, by their SHA-256, and never logged.
 */
public final class Tokens {
    public static final Tokens NONE = new Tokens(null, null);

    /** What a caller may do. */
    public enum Access { NONE, CLIENT, ADMIN }

    private final byte[] client; // SHA-256 of the token, or null
    private final byte[] admin;

    /** @throws IllegalArgumentException for a client token without an admin token, or an empty token */
    public Tokens(String clientToken, String adminToken) {
        if (clientToken != null && adminToken == null) {
            throw new IllegalArgumentException("a client token needs an admin token too (--admin-token or RAFTKV_ADMIN_TOKEN):"
                    + " without one, membership changes would be open to anyone");
        }
        if ((clientToken != null && clientToken.isEmpty()) || (adminToken != null && adminToken.isEmpty())) {
            throw new IllegalArgumentException("a token must not be empty");
        }
        this.client = clientToken == null ? null : digest(clientToken);
        this.admin = adminToken == null ? null : digest(adminToken);
    }

    /** Whether any token is configured (else everything is open). */
    public boolean configured() {
        return admin != null;
    }

    /** Whether reads and writes need a token. */
    public boolean protectsData() {
        return client != null;
    }

    /** What the bearer of {@code presented} (null: no token) may do. */
    public Access accessOf(String presented) {
        byte[] d = presented == null ? null : digest(presented);
        // both compared whatever the first says: the time taken tells nothing about which matched
        boolean isAdmin = d != null && admin != null && MessageDigest.isEqual(d, admin);
        boolean isClient = d != null && client != null && MessageDigest.isEqual(d, client);
        if (isAdmin || admin == null) return Access.ADMIN;
        if (isClient || client == null) return Access.CLIENT;
        return Access.NONE;
    }

    private static byte[] digest(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java 17 runtime", e);
        }
    }

    @Override
    public String toString() {
        return "Tokens[" + (admin == null ? "none" : client == null ? "admin" : "client+admin") + "]"; // never the tokens
    }
}
