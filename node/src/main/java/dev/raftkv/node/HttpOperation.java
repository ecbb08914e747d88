package dev.raftkv.node;

import io.netty.handler.codec.http.HttpMethod;

/**
 * What an HTTP request asked for, as a metric label. A fixed set rather than the path, so that a caller who
 * sends a million different keys or paths cannot make a million time series.
 */
enum HttpOperation {
    GET, PUT, DELETE, CAS, RANGE, DELETE_RANGE, TXN, STATUS, MEMBERS, LEADER_TRANSFER, METRICS, HEALTH, READY, OTHER;

    String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Whether its {@code ?consistency=} means anything: the reads. */
    boolean reads() {
        return this == GET || this == RANGE;
    }

    static HttpOperation of(HttpMethod method, String path) {
        if (path.startsWith("/v1/kv/")) {
            if (path.endsWith("/cas") && method.equals(HttpMethod.POST)) return CAS;
            if (method.equals(HttpMethod.GET)) return GET;
            if (method.equals(HttpMethod.PUT)) return PUT;
            if (method.equals(HttpMethod.DELETE)) return DELETE;
            return OTHER;
        }
        if (path.equals("/v1/kv")) return method.equals(HttpMethod.DELETE) ? DELETE_RANGE : RANGE;
        if (path.equals("/v1/txn")) return TXN;
        if (path.equals("/v1/status")) return STATUS;
        if (path.equals("/v1/members") || path.startsWith("/v1/members/")) return MEMBERS;
        if (path.equals("/v1/leader/transfer")) return LEADER_TRANSFER;
        if (path.equals("/metrics")) return METRICS;
        if (path.equals("/health")) return HEALTH;
        if (path.equals("/ready")) return READY;
        return OTHER;
    }
}
