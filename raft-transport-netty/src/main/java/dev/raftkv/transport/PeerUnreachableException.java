package dev.raftkv.transport;

/** No connection to a peer could be made, or it ended before the handshake said anything. */
public final class PeerUnreachableException extends Exception {
    public PeerUnreachableException(String reason) {
        super(reason);
    }
}
