package dev.raftkv.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where one member listens: Raft, the binary client protocol and HTTP ("host:port" each; client and http
 * may be unknown). Carried in the membership as text {@code raft=H:P client=H:P http=H:P}, so that every
 * node learns a new member's addresses from the log.
 */
public record MemberEndpoint(String raft, String client, String http) {
    public MemberEndpoint {
        if (raft == null || raft.isBlank()) throw new IllegalArgumentException("a member needs a raft address");
        check("raft", raft);
        if (client != null) check("client", client);
        if (http != null) check("http", http);
    }

    private static void check(String field, String hostPort) {
        if (hostPort.contains(" ") || hostPort.contains("=")) {
            throw new IllegalArgumentException(field + " address '" + hostPort + "' is not HOST:PORT");
        }
        NodeConfig.parseAddress(hostPort);
    }

    /** This Raft address with {@code other}'s client and HTTP addresses where it has them (ours where it has none). */
    public MemberEndpoint servingAs(MemberEndpoint other) {
        return new MemberEndpoint(raft, other.client != null ? other.client : client, other.http != null ? other.http : http);
    }

    public String format() {
        StringBuilder sb = new StringBuilder("raft=").append(raft);
        if (client != null) sb.append(" client=").append(client);
        if (http != null) sb.append(" http=").append(http);
        return sb.toString();
    }

    /**
     * From a JSON member object's {@code raft}, {@code client} and {@code http} fields (as in
     * {@code POST /v1/members} and {@code GET /v1/members}); a missing or null field is unknown.
     *
     * @throws IllegalArgumentException if there is no raft address or an address is not HOST:PORT
     */
    public static MemberEndpoint fromJson(JsonNode member) {
        return new MemberEndpoint(text(member, "raft"), text(member, "client"), text(member, "http"));
    }

    /** Puts the addresses into a JSON member object, as {@link #fromJson} reads them (an unknown one left out). */
    public ObjectNode putInto(ObjectNode member) {
        member.put("raft", raft);
        if (client != null) member.put("client", client);
        if (http != null) member.put("http", http);
        return member;
    }

    private static String text(JsonNode member, String field) {
        return member.hasNonNull(field) ? member.get(field).asText() : null;
    }

    /** What {@link #parse} reads from {@code text}, or null for no text or text it cannot read. */
    public static MemberEndpoint parseOrNull(String text) {
        if (text == null) return null;
        try {
            return parse(text);
        } catch (IllegalArgumentException unreadable) {
            return null;
        }
    }

    /** @throws IllegalArgumentException if the text is not what {@link #format} writes */
    public static MemberEndpoint parse(String text) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String part : text.trim().split(" +")) {
            int eq = part.indexOf('=');
            if (eq <= 0) throw new IllegalArgumentException("member endpoint part '" + part + "' is not NAME=HOST:PORT");
            fields.put(part.substring(0, eq), part.substring(eq + 1));
        }
        return new MemberEndpoint(fields.get("raft"), fields.get("client"), fields.get("http"));
    }
}
