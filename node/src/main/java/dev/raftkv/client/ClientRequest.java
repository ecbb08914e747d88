package dev.raftkv.client;

/**
 * One request as it travels. {@code clientId} and {@code seq} name the write for de-duplication: a
 * retry carries the same pair and a new {@code requestId}. {@code expect} null means "absent" for a CAS.
 */
public record ClientRequest(ClientProtocol.Op op, long requestId, String clientId, long seq, String key,
                            byte[] value, byte[] expect, ClientProtocol.Consistency consistency) {
    public static ClientRequest put(long requestId, String clientId, long seq, String key, byte[] value) {
        return new ClientRequest(ClientProtocol.Op.PUT, requestId, clientId, seq, key, value, null, null);
    }

    public static ClientRequest get(long requestId, String key, ClientProtocol.Consistency consistency) {
        return new ClientRequest(ClientProtocol.Op.GET, requestId, "", 0, key, null, null, consistency);
    }

    public static ClientRequest delete(long requestId, String clientId, long seq, String key) {
        return new ClientRequest(ClientProtocol.Op.DELETE, requestId, clientId, seq, key, null, null, null);
    }

    public static ClientRequest cas(long requestId, String clientId, long seq, String key, byte[] expect, byte[] value) {
        return new ClientRequest(ClientProtocol.Op.CAS, requestId, clientId, seq, key, value, expect, null);
    }

    /** The token travels as the value; the record's toString never shows a value's bytes. */
    public static ClientRequest auth(long requestId, String token) {
        return new ClientRequest(ClientProtocol.Op.AUTH, requestId, "", 0, "", token.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                null, null);
    }

    public static ClientRequest status(long requestId) {
        return new ClientRequest(ClientProtocol.Op.STATUS, requestId, "", 0, "", null, null, null);
    }

    /** The same request under another request id: what a retry sends. */
    public ClientRequest withRequestId(long id) {
        return new ClientRequest(op, id, clientId, seq, key, value, expect, consistency);
    }
}
