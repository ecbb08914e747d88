package dev.raftkv.node;

import java.time.Duration;

/**
 * What the node lets its clients hold, on the HTTP port and the binary client port, so that no number of
 * connections, slow senders or pipelined requests can grow its heap without bound (README, "Limits").
 *
 * @param httpMaxConnections      HTTP connections open at once; one more is answered 503 and closed
 * @param httpMaxHeaderBytes      the header block of one HTTP request (431 beyond); the request line has its own
 *                                limit, derived from the longest key (414 beyond)
 * @param httpReadTimeout         how long one HTTP request may take to arrive, from its first byte to its last (408)
 * @param httpIdleTimeout         how long an HTTP connection with nothing to do stays open
 * @param clientMaxConnections    binary-protocol connections open at once; one more is closed
 * @param clientMaxInFlightBytes  bytes of requests and answers one binary-protocol connection may have in the node;
 *                                beyond it the node stops reading from that connection
 * @param maxInFlightBytes        bytes of requests and answers the whole node holds for its clients (both ports);
 *                                a request beyond it is answered "overloaded" (HTTP 503, binary OVERLOADED), never
 *                                proposed, so it is safe to retry
 * @param maxInFlightRequests     requests the whole node serves at once (both ports), the same way; this bounds what
 *                                clients can put on the Raft event loop's queue
 */
public record EdgeLimits(int httpMaxConnections, int httpMaxHeaderBytes, Duration httpReadTimeout, Duration httpIdleTimeout,
                         int clientMaxConnections, long clientMaxInFlightBytes, long maxInFlightBytes,
                         int maxInFlightRequests) {
    public static final int DEFAULT_HTTP_MAX_CONNECTIONS = 1024;
    public static final int DEFAULT_HTTP_MAX_HEADER_BYTES = 8 * 1024;
    public static final long DEFAULT_HTTP_READ_TIMEOUT_MS = 10_000;
    public static final long DEFAULT_HTTP_IDLE_TIMEOUT_MS = 60_000;
    public static final int DEFAULT_CLIENT_MAX_CONNECTIONS = 1024;
    public static final long DEFAULT_CLIENT_MAX_IN_FLIGHT_BYTES = 16L * 1024 * 1024;
    public static final int DEFAULT_MAX_IN_FLIGHT_REQUESTS = 10_000;

    /** An eighth of the heap: requests are copied a few times on their way to the log, and the log and store need the rest. */
    public static long defaultMaxInFlightBytes() {
        return Math.max(16L * 1024 * 1024, Runtime.getRuntime().maxMemory() / 8);
    }

    public static EdgeLimits defaults() {
        return new EdgeLimits(DEFAULT_HTTP_MAX_CONNECTIONS, DEFAULT_HTTP_MAX_HEADER_BYTES,
                Duration.ofMillis(DEFAULT_HTTP_READ_TIMEOUT_MS), Duration.ofMillis(DEFAULT_HTTP_IDLE_TIMEOUT_MS),
                DEFAULT_CLIENT_MAX_CONNECTIONS, DEFAULT_CLIENT_MAX_IN_FLIGHT_BYTES, defaultMaxInFlightBytes(),
                DEFAULT_MAX_IN_FLIGHT_REQUESTS);
    }

    public EdgeLimits {
        atLeast("--http-max-connections", httpMaxConnections, 1);
        atLeast("--http-max-header-bytes", httpMaxHeaderBytes, 256);
        atLeast("--http-read-timeout-ms", httpReadTimeout.toMillis(), 1);
        atLeast("--http-idle-timeout-ms", httpIdleTimeout.toMillis(), 1);
        atLeast("--client-max-connections", clientMaxConnections, 1);
        atLeast("--client-max-in-flight-bytes", clientMaxInFlightBytes, 1);
        atLeast("--max-in-flight-bytes", maxInFlightBytes, 1);
        atLeast("--max-in-flight-requests", maxInFlightRequests, 1);
    }

    private static void atLeast(String flag, long value, long min) {
        if (value < min) throw new IllegalArgumentException(flag + " must be at least " + min + ", got " + value);
    }

    public EdgeLimits withHttp(int maxConnections, int maxHeaderBytes, Duration readTimeout, Duration idleTimeout) {
        return new EdgeLimits(maxConnections, maxHeaderBytes, readTimeout, idleTimeout, clientMaxConnections,
                clientMaxInFlightBytes, maxInFlightBytes, maxInFlightRequests);
    }

    public EdgeLimits withClient(int maxConnections, long maxInFlightBytesPerConnection) {
        return new EdgeLimits(httpMaxConnections, httpMaxHeaderBytes, httpReadTimeout, httpIdleTimeout, maxConnections,
                maxInFlightBytesPerConnection, maxInFlightBytes, maxInFlightRequests);
    }

    public EdgeLimits withNode(long bytes, int requests) {
        return new EdgeLimits(httpMaxConnections, httpMaxHeaderBytes, httpReadTimeout, httpIdleTimeout, clientMaxConnections,
                clientMaxInFlightBytes, bytes, requests);
    }
}
