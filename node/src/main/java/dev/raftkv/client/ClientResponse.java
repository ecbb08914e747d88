package dev.raftkv.client;

import dev.raftkv.kv.KvResult;

/**
 * One answer. Which fields are set depends on the status: {@code result} for OK, NOT_FOUND and
 * CAS_FAILED (KvResult.Value with a null value for NOT_FOUND, CasDone(false, current) for CAS_FAILED);
 * {@code node} for a STATUS's OK; {@code leaderId}/{@code leaderClient} for NOT_LEADER (null if not
 * known); {@code message} for the errors.
 */
public record ClientResponse(long requestId, ClientProtocol.Status status, KvResult result, NodeStatus node,
                             String leaderId, String leaderClient, String message) {
    /** What STATUS answers: the node's view of itself and of the leader. */
    public record NodeStatus(String id, String role, long term, String leader, String leaderClient) {
    }

    public static ClientResponse ok(long requestId, KvResult result) {
        return new ClientResponse(requestId, ClientProtocol.Status.OK, result, null, null, null, null);
    }

    public static ClientResponse of(long requestId, ClientProtocol.Status status, KvResult result) {
        return new ClientResponse(requestId, status, result, null, null, null, null);
    }

    public static ClientResponse status(long requestId, NodeStatus node) {
        return new ClientResponse(requestId, ClientProtocol.Status.OK, null, node, null, null, null);
    }

    public static ClientResponse notLeader(long requestId, String leaderId, String leaderClient) {
        return new ClientResponse(requestId, ClientProtocol.Status.NOT_LEADER, null, null, leaderId, leaderClient, null);
    }

    public static ClientResponse error(long requestId, ClientProtocol.Status status, String message) {
        return new ClientResponse(requestId, status, null, null, null, null, message == null ? status.name() : message);
    }
}
