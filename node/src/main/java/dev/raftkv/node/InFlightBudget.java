package dev.raftkv.node;

/**
 * The requests a node holds for its clients, over both client ports: how many, and how many bytes of
 * requests and answers. A request is admitted while both are under their limits, or when nothing else is in
 * flight (so that one request of the largest size always gets through); one that is not admitted is answered
 * "overloaded" before anything is proposed, so its client may safely retry. Without this bound a burst of
 * clients fills the Raft event loop's queue, the apply queue and the heap until the node dies.
 *
 * <p>Thread-safe: the HTTP and client event loops share one budget. A {@link Ticket} is held from the moment
 * a request is read until its answer has been written out.
 */
final class InFlightBudget {
    private final long maxBytes;
    private final int maxRequests;
    private long bytes;
    private int requests;
    private long refused;

    InFlightBudget(long maxBytes, int maxRequests) {
        this.maxBytes = maxBytes;
        this.maxRequests = maxRequests;
    }

    static InFlightBudget of(EdgeLimits limits) {
        return new InFlightBudget(limits.maxInFlightBytes(), limits.maxInFlightRequests());
    }

    /** A ticket for a request of {@code requestBytes}, or null if the node is at its limit: answer "overloaded". */
    synchronized Ticket tryAdmit(long requestBytes) {
        boolean fits = requests < maxRequests && bytes + requestBytes <= maxBytes;
        if (!fits && requests > 0) {
            refused++;
            return null;
        }
        requests++;
        bytes += requestBytes;
        return new Ticket(requestBytes);
    }

    synchronized long bytesInUse() {
        return bytes;
    }

    synchronized int requestsInUse() {
        return requests;
    }

    /** How many requests were answered "overloaded" so far. */
    synchronized long refused() {
        return refused;
    }

    /** What one admitted request holds; given back once, by {@link #release}. */
    final class Ticket {
        private long held;
        private boolean released;

        private Ticket(long held) {
            this.held = held;
        }

        /** The answer is in memory too (a GET's value): count it until it is written. */
        void grow(long answerBytes) {
            synchronized (InFlightBudget.this) {
                if (released) return;
                held += answerBytes;
                bytes += answerBytes;
            }
        }

        void release() {
            synchronized (InFlightBudget.this) {
                if (released) return;
                released = true;
                requests--;
                bytes -= held;
            }
        }
    }
}
