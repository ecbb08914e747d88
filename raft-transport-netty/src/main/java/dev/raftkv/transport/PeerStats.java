package dev.raftkv.transport;

/**
 * What a {@link NettyTransport} knows about its connection to one peer. The drops are told apart because
 * they mean different things: a peer that is down, a peer (or network) too slow for the traffic, a bug.
 *
 * @param connected          an outbound connection is open now
 * @param droppedNotConnected sent while there was no connection (peer down, or back-off not yet over)
 * @param droppedBufferFull  sent while the connection had more queued than its high-water mark
 * @param droppedUnencodable the codec refused them (too much entry data, an id the wire cannot carry)
 */
public record PeerStats(boolean connected, long droppedNotConnected, long droppedBufferFull, long droppedUnencodable) {
    public long dropped() {
        return droppedNotConnected + droppedBufferFull + droppedUnencodable;
    }
}
