package dev.raftkv.client;

/**
 * A request whose frame is sound but whose key is not UTF-8. Decoding it anyway would turn the bad bytes into
 * U+FFFD and make different keys one; it is answered BAD_REQUEST, and the connection, whose framing is intact,
 * carries on.
 */
public final class InvalidKeyException extends Exception {
    private final long requestId;
    private final ClientProtocol.Op op;

    public InvalidKeyException(long requestId, ClientProtocol.Op op) {
        super("the key is not valid UTF-8");
        this.requestId = requestId;
        this.op = op;
    }

    public long requestId() {
        return requestId;
    }

    public ClientProtocol.Op op() {
        return op;
    }
}
