package dev.raftkv.client;

import dev.raftkv.kv.Compare;
import dev.raftkv.kv.KeyRange;
import dev.raftkv.kv.KvCommand;
import dev.raftkv.kv.KvQuery;
import dev.raftkv.kv.TxnOp;

import java.util.List;

/**
 * One request as it travels. {@code clientId} and {@code seq} name the write for de-duplication: a
 * retry carries the same pair and a new {@code requestId}. {@code expect} null means "absent" for a CAS.
 * {@code query} is a RANGE's; {@code command} is a DELETE_RANGE's or TXN's, under the request's own client id and
 * seq.
 */
public record ClientRequest(ClientProtocol.Op op, long requestId, String clientId, long seq, String key,
                            byte[] value, byte[] expect, ClientProtocol.Consistency consistency,
                            KvQuery.Range query, KvCommand command) {
    /** A request on one key, or none (STATUS, AUTH). */
    public ClientRequest(ClientProtocol.Op op, long requestId, String clientId, long seq, String key,
                         byte[] value, byte[] expect, ClientProtocol.Consistency consistency) {
        this(op, requestId, clientId, seq, key, value, expect, consistency, null, null);
    }

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

    /** A page of the query's range, or its count ({@code countOnly}). */
    public static ClientRequest range(long requestId, KvQuery.Range query, ClientProtocol.Consistency consistency) {
        return new ClientRequest(ClientProtocol.Op.RANGE, requestId, "", 0, "", null, null, consistency, query, null);
    }

    public static ClientRequest deleteRange(long requestId, String clientId, long seq, KeyRange range) {
        return new ClientRequest(ClientProtocol.Op.DELETE_RANGE, requestId, clientId, seq, "", null, null, null, null,
                new KvCommand.DeleteRange(clientId, seq, range));
    }

    public static ClientRequest txn(long requestId, String clientId, long seq, List<Compare> compares, List<TxnOp> success,
                                    List<TxnOp> failure) {
        return new ClientRequest(ClientProtocol.Op.TXN, requestId, clientId, seq, "", null, null, null, null,
                new KvCommand.Txn(clientId, seq, compares, success, failure));
    }

    /** The same request under another request id: what a retry sends. */
    public ClientRequest withRequestId(long id) {
        return new ClientRequest(op, id, clientId, seq, key, value, expect, consistency, query, command);
    }
}
