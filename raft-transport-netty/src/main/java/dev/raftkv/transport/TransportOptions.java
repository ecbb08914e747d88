package dev.raftkv.transport;

import java.time.Duration;
import java.util.function.Consumer;

/**
 * Limits and timings of a {@link NettyTransport}. {@link #defaults()} suits a cluster on a LAN; tests
 * shrink the limits to reach them quickly.
 *
 * @param maxFrameBytes            largest frame body accepted or sent; a longer length prefix closes the connection
 * @param maxEntryBytes            most entry data in one AppendEntries (summed over its entries)
 * @param snapshotChunkBytes       snapshot data per chunk frame
 * @param maxSnapshotBytes         largest snapshot accepted (it is streamed to disk, so this guards the disk, not the heap);
 *                                 a stream announcing more is refused
 * @param writeBufferLowWaterMark  a peer's connection becomes writable again below this many queued bytes
 * @param writeBufferHighWaterMark above this many queued bytes, new messages to that peer are dropped
 * @param reconnectMinDelay        first wait after a failed or lost connection
 * @param reconnectMaxDelay        the wait doubles up to this
 * @param connectTimeout           how long one connection attempt may take
 * @param handshakeTimeout         a connection whose handshake (TLS and the cookie proof) takes longer is closed
 * @param ioThreads                event loop threads for connections (one more accepts them)
 */
public record TransportOptions(int maxFrameBytes, int maxEntryBytes, int snapshotChunkBytes, long maxSnapshotBytes,
                               int writeBufferLowWaterMark, int writeBufferHighWaterMark,
                               Duration reconnectMinDelay, Duration reconnectMaxDelay,
                               Duration connectTimeout, Duration handshakeTimeout, int ioThreads) {
    private static final int MIB = 1024 * 1024;
    /** Room for ids, terms and per-entry headers around the entry data of an AppendEntries. */
    private static final int MESSAGE_OVERHEAD = 1024;

    public TransportOptions {
        if (maxFrameBytes < MESSAGE_OVERHEAD) throw new IllegalArgumentException("maxFrameBytes " + maxFrameBytes);
        if (maxEntryBytes < 0 || maxEntryBytes > maxFrameBytes - MESSAGE_OVERHEAD) {
            throw new IllegalArgumentException("maxEntryBytes " + maxEntryBytes + " must leave room in a frame of "
                    + maxFrameBytes);
        }
        if (snapshotChunkBytes < 1 || snapshotChunkBytes > maxFrameBytes - SnapshotChunk.HEADER_BYTES) {
            throw new IllegalArgumentException("snapshotChunkBytes " + snapshotChunkBytes);
        }
        if (maxSnapshotBytes < 0) throw new IllegalArgumentException("maxSnapshotBytes " + maxSnapshotBytes);
        if (writeBufferLowWaterMark < 0 || writeBufferHighWaterMark < writeBufferLowWaterMark) {
            throw new IllegalArgumentException("write buffer water marks " + writeBufferLowWaterMark + ".."
                    + writeBufferHighWaterMark);
        }
        if (reconnectMinDelay.isNegative() || reconnectMaxDelay.compareTo(reconnectMinDelay) < 0) {
            throw new IllegalArgumentException("reconnect delays " + reconnectMinDelay + ".." + reconnectMaxDelay);
        }
        if (connectTimeout.isNegative() || connectTimeout.isZero() || handshakeTimeout.isNegative()
                || handshakeTimeout.isZero()) {
            throw new IllegalArgumentException("timeouts must be positive");
        }
        if (ioThreads < 1) throw new IllegalArgumentException("ioThreads " + ioThreads);
    }

    public static TransportOptions defaults() {
        return new TransportOptions(32 * MIB, RaftCodec.DEFAULT_MAX_ENTRY_BYTES, MIB, 64L * 1024 * MIB,
                4 * MIB, 8 * MIB, Duration.ofMillis(50), Duration.ofSeconds(2),
                Duration.ofSeconds(2), Duration.ofSeconds(5), 2);
    }

    /** A smaller frame also shrinks what must fit in one: the entry data of an AppendEntries and a snapshot chunk. */
    public TransportOptions withMaxFrameBytes(int bytes) {
        return copy(d -> {
            d.maxFrameBytes = bytes;
            d.maxEntryBytes = Math.min(d.maxEntryBytes, bytes - MESSAGE_OVERHEAD);
            d.snapshotChunkBytes = Math.min(d.snapshotChunkBytes, bytes - SnapshotChunk.HEADER_BYTES);
        });
    }

    public TransportOptions withSnapshotLimits(int chunkBytes, long maxBytes) {
        return copy(d -> {
            d.snapshotChunkBytes = chunkBytes;
            d.maxSnapshotBytes = maxBytes;
        });
    }

    public TransportOptions withWriteBufferWaterMarks(int low, int high) {
        return copy(d -> {
            d.writeBufferLowWaterMark = low;
            d.writeBufferHighWaterMark = high;
        });
    }

    public TransportOptions withHandshakeTimeout(Duration timeout) {
        return copy(d -> d.handshakeTimeout = timeout);
    }

    /** This record with {@code change} applied: the copy is checked by the constructor like any other. */
    private TransportOptions copy(Consumer<Draft> change) {
        Draft d = new Draft(this);
        change.accept(d);
        return d.build();
    }

    /** The one place that lists every component for a copy, so a new one is added here and nowhere else. */
    private static final class Draft {
        int maxFrameBytes;
        int maxEntryBytes;
        int snapshotChunkBytes;
        long maxSnapshotBytes;
        int writeBufferLowWaterMark;
        int writeBufferHighWaterMark;
        Duration reconnectMinDelay;
        Duration reconnectMaxDelay;
        Duration connectTimeout;
        Duration handshakeTimeout;
        int ioThreads;

        Draft(TransportOptions o) {
            maxFrameBytes = o.maxFrameBytes;
            maxEntryBytes = o.maxEntryBytes;
            snapshotChunkBytes = o.snapshotChunkBytes;
            maxSnapshotBytes = o.maxSnapshotBytes;
            writeBufferLowWaterMark = o.writeBufferLowWaterMark;
            writeBufferHighWaterMark = o.writeBufferHighWaterMark;
            reconnectMinDelay = o.reconnectMinDelay;
            reconnectMaxDelay = o.reconnectMaxDelay;
            connectTimeout = o.connectTimeout;
            handshakeTimeout = o.handshakeTimeout;
            ioThreads = o.ioThreads;
        }

        TransportOptions build() {
            return new TransportOptions(maxFrameBytes, maxEntryBytes, snapshotChunkBytes, maxSnapshotBytes,
                    writeBufferLowWaterMark, writeBufferHighWaterMark, reconnectMinDelay, reconnectMaxDelay,
                    connectTimeout, handshakeTimeout, ioThreads);
        }
    }
}
