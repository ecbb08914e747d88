package dev.raftkv.client;

/**
 * The binary client protocol's codes (README, "Binary client protocol"). A frame is an i32 body length,
 * then the body, as on the Raft transport. Requests and answers are matched by request id, so a
 * connection may carry many requests at once and answers may come back in any order.
 */
public final class ClientProtocol {
    /** Strings (client id, key, leader id, messages) are a u16 length and UTF-8: never longer than this. */
    public static final int MAX_STRING_BYTES = 65_535;

    private ClientProtocol() {
    }

    public enum Op {
        PUT(1), GET(2), DELETE(3), CAS(4), STATUS(5),
        /** The first request on a connection to a node with tokens: the token; answered OK or UNAUTHORIZED (then closed). */
        AUTH(6);

        public final int code;

        Op(int code) {
            this.code = code;
        }

        public boolean isWrite() {
            return this == PUT || this == DELETE || this == CAS;
        }

        static Op of(int code) {
            for (Op op : values()) if (op.code == code) return op;
            return null;
        }
    }

    public enum Status {
        OK(0), NOT_FOUND(1), CAS_FAILED(2), NOT_LEADER(3), NOT_APPLIED(4), OUTCOME_UNKNOWN(5), BAD_REQUEST(6), TOO_LARGE(7),
        /** No valid token: the node closes the connection after this answer. */
        UNAUTHORIZED(8),
        /**
         * The node holds as many requests as it may (--max-in-flight-bytes, --max-in-flight-requests): this one was
         * not proposed, so it is safe to retry, after a pause.
         */
        OVERLOADED(9);

        public final int code;

        Status(int code) {
            this.code = code;
        }

        static Status of(int code) {
            for (Status s : values()) if (s.code == code) return s;
            return null;
        }
    }

    /** How a GET is served, on either protocol: the binary protocol's wire byte is the ordinal. */
    public enum Consistency {
        /** ReadIndex through the leader. */
        LINEARIZABLE,
        /**
         * Answered by a leader from its lease without a heartbeat round; correct while clocks drift less than
         * the configured bound. Without a valid lease, the same as LINEARIZABLE.
         */
        LEASE,
        /** This node's own state, possibly stale (the demo's local_get). */
        LOCAL;

        /** From HTTP's {@code ?consistency=}: linearizable (the default), lease or local, any case. */
        public static Consistency parse(String s) {
            if (s == null || s.isEmpty()) return LINEARIZABLE;
            for (Consistency c : values()) {
                if (c.name().equalsIgnoreCase(s)) return c;
            }
            throw new dev.raftkv.kv.KvLimits.Violation("consistency must be linearizable, lease or local, not '" + s + "'",
                    false);
        }
    }

    /** The largest frame body a peer accepts with values of up to {@code maxValueBytes} (a CAS carries two). */
    public static int maxFrameBytes(int maxValueBytes) {
        long bytes = 2L * maxValueBytes + 2L * MAX_STRING_BYTES + 1024;
        return (int) Math.min(Integer.MAX_VALUE - 8, bytes);
    }
}
