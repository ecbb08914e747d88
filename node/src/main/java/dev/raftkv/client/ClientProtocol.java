package dev.raftkv.client;

import dev.raftkv.kv.KvLimits;

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
        AUTH(6),
        /** A page of a range, or its count: a read, served with a consistency like GET. */
        RANGE(7),
        /** Deletes a range in one log entry. */
        DELETE_RANGE(8),
        /** Compares, then one of two lists of operations, in one log entry; a write even if it only reads. */
        TXN(9);

        public final int code;

        Op(int code) {
            this.code = code;
        }

        public boolean isWrite() {
            return this == PUT || this == DELETE || this == CAS || this == DELETE_RANGE || this == TXN;
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
            throw new KvLimits.Violation("consistency must be linearizable, lease or local, not '" + s + "'",
                    false);
        }
    }

    /**
     * The largest request frame body a node accepts with values of up to {@code maxValueBytes}: a CAS carries two,
     * and a transaction may not be longer in the log than that ({@code KvLimits.check}), so this carries it too.
     */
    public static int maxFrameBytes(int maxValueBytes) {
        long bytes = 2L * maxValueBytes + 2L * MAX_STRING_BYTES + 1024;
        return (int) Math.min(Integer.MAX_VALUE - 8, bytes);
    }

    /**
     * The largest answer frame body a client accepts from nodes whose values are at most {@code maxValueBytes}. A
     * page, or all the reads of one transaction, hold {@link KvLimits#MAX_PAGE_BYTES} of keys and values and may
     * overshoot it by one entry (a transaction's gets of the largest values fit in that budget: {@code KvLimits}
     * refuses more); besides, each result of a transaction has its framing and a page's next key, and each item
     * its lengths and revisions. Only a bound: the decoder holds what arrives, not what a length prefix claims.
     */
    public static int maxAnswerFrameBytes(int maxValueBytes) {
        long perResult = 2L * MAX_STRING_BYTES + 64; // a page's next key, and the result's framing
        long itemFields = (long) KvLimits.MAX_TXN_OPS * KvLimits.MAX_PAGE_KEYS * 32; // lengths and revisions
        long bytes = KvLimits.MAX_PAGE_BYTES + maxValueBytes + (KvLimits.MAX_TXN_OPS + 1L) * perResult + itemFields + 1024;
        return (int) Math.min(Integer.MAX_VALUE - 8, Math.max(bytes, maxFrameBytes(maxValueBytes)));
    }
}
