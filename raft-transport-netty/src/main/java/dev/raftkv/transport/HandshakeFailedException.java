package dev.raftkv.transport;

/**
 * A peer handshake ran and failed: one side refused the other (wrong cookie, another cluster, an id
 * that does not match, a TLS certificate not trusted). The message says which and why.
 */
public final class HandshakeFailedException extends Exception {
    public HandshakeFailedException(String reason) {
        super(reason);
    }
}
