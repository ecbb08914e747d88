package dev.raftkv.client;

/**
 * A request whose frame is sound but whose content cannot be served as sent: a key that is not UTF-8 (decoding it
 * anyway would turn the bad bytes into U+FFFD and make different keys one), or a RANGE, DELETE_RANGE or TXN body
 * that does not decode as the machine's encoding. It is answered BAD_REQUEST, and the connection, whose framing is
 * intact, carries on.
 */
public final class UnreadableRequestException extends Exception {
    private final long requestId;
    private final ClientProtocol.Op op;

    public UnreadableRequestException(long requestId, ClientProtocol.Op op, String why) {
        super(why);
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
