package dev.raftkv.node;

import io.netty.handler.codec.http.FullHttpRequest;

/** What {@link HttpRequestAssembler} hands the connection: a whole request to serve, or the answer to one it refused. */
sealed interface HttpIncoming {
    /** A request read in full, with its share of the node's in-flight budget; the receiver releases both. */
    record Request(FullHttpRequest request, InFlightBudget.Ticket ticket) implements HttpIncoming {
    }

    /**
     * A request answered without being served (malformed, too large, the node overloaded). {@code close}: the
     * connection cannot carry another request after it (the decoder lost its place in the stream).
     * {@code bodyFollows}: its body is still to arrive, and will be dropped; {@link BodyDropped} says when it ended.
     */
    record Refusal(HttpApi.Reply reply, boolean close, boolean bodyFollows) implements HttpIncoming {
    }

    /** The body of a refused request has arrived (and been dropped): the request is over. */
    record BodyDropped() implements HttpIncoming {
    }
}
