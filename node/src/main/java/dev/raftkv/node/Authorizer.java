package dev.raftkv.node;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;

/**
 * Who may call which HTTP endpoint: the one place that says it. Membership changes, leadership transfer and
 * every test-only endpoint ({@code /v1/unsafe/...}) need the admin token; everything else (reads, writes,
 * status, the member list) the client token or the admin token. A missing or unknown token is 401, a
 * client token on an admin endpoint 403, each with a JSON body. {@code /health} and {@code /ready} need no token:
 * load balancers probe without one, and they say only whether the node serves and why not ({@link NodeHealth}).
 * {@code /metrics} needs the client token, because it names the members.
 */
public final class Authorizer {
    /** Why a request is refused: the HTTP status, error code and message of the answer. */
    public record Denial(int status, String code, String message) {
    }

    private final Tokens tokens;

    public Authorizer(Tokens tokens) {
        this.tokens = tokens;
    }

    /** @return null if the request may go on, else why not */
    public Denial check(HttpMethod method, String path, HttpHeaders headers) {
        if (!tokens.configured() || open(path)) return null;
        Tokens.Access needed = needs(method, path);
        Tokens.Access has = tokens.accessOf(bearer(headers.get(HttpHeaderNames.AUTHORIZATION)));
        if (has == Tokens.Access.ADMIN || (needed == Tokens.Access.CLIENT && has == Tokens.Access.CLIENT)) return null;
        if (has == Tokens.Access.CLIENT) {
            return new Denial(403, "forbidden", method + " " + path + " needs the admin token; this is a client token");
        }
        return new Denial(401, "unauthorized", "missing or unknown token: send 'Authorization: Bearer TOKEN' with the "
                + (needed == Tokens.Access.ADMIN ? "admin" : "client or admin") + " token");
    }

    /** Endpoints anyone may call: they change nothing and reveal nothing a token guards. */
    static boolean open(String path) {
        return path.equals("/health") || path.equals("/ready");
    }

    /** What an endpoint needs. */
    static Tokens.Access needs(HttpMethod method, String path) {
        if (path.startsWith("/v1/unsafe/")) return Tokens.Access.ADMIN;
        boolean members = path.equals("/v1/members") || path.startsWith("/v1/members/");
        if (members && !method.equals(HttpMethod.GET)) return Tokens.Access.ADMIN;
        if (path.equals("/v1/leader/transfer")) return Tokens.Access.ADMIN;
        return Tokens.Access.CLIENT;
    }

    /** The token of an {@code Authorization: Bearer TOKEN} header, or null. */
    static String bearer(String header) {
        if (header == null) return null;
        String h = header.trim();
        if (h.length() < 7 || !h.regionMatches(true, 0, "Bearer ", 0, 7)) return null;
        String token = h.substring(7).trim();
        return token.isEmpty() ? null : token;
    }
}
