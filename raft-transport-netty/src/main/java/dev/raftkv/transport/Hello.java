package dev.raftkv.transport;

import io.netty.buffer.ByteBuf;

import static dev.raftkv.transport.WireFormat.MAX_CLUSTER_ID_BYTES;
import static dev.raftkv.transport.WireFormat.MAX_ID_BYTES;
import static dev.raftkv.transport.WireFormat.NONCE_BYTES;

/**
 * The first frame on every connection, from the connecting side: magic (i32), protocol version (u8), the
 * sender's cluster id, its node id, the id of the node it means to reach (u16 length + UTF-8 each), a
 * fresh nonce (32 bytes) and the sender's incarnation (i64, drawn at random each time its transport starts:
 * the dialed node learns from it that the sender restarted, and drops its own connection to the old one). Magic and version lead in every version, so a node can always tell a peer it
 * cannot understand from garbage, and say which. The cookie is not in it: the two sides prove that they
 * know it later ({@link Handshake}), and nothing that is sent can be replayed.
 */
record Hello(String clusterId, String from, String to, byte[] nonce, long incarnation) {

    void encode(ByteBuf out) {
        encode(WireFormat.VERSION, out);
    }

    /** With another version byte: only tests need to speak a version this node does not. */
    void encode(byte version, ByteBuf out) {
        out.writeInt(WireFormat.MAGIC);
        out.writeByte(version);
        WireWriter.writeString(out, "cluster id", clusterId, MAX_CLUSTER_ID_BYTES);
        WireWriter.writeString(out, "node id", from, MAX_ID_BYTES);
        WireWriter.writeString(out, "peer id", to, MAX_ID_BYTES);
        if (nonce.length != NONCE_BYTES) throw new IllegalArgumentException("nonce of " + nonce.length + " bytes");
        out.writeBytes(nonce);
        out.writeLong(incarnation);
    }

    /** Reads a hello that must fill {@code body}; a foreign magic or version is refused before the rest is read. */
    static Hello decode(ByteBuf body) throws MalformedFrameException {
        WireReader r = new WireReader(body);
        int magic = r.readInt("magic");
        if (magic != WireFormat.MAGIC) {
            throw new MalformedFrameException(String.format("not a raftkv peer (magic 0x%08x)", magic));
        }
        byte version = r.readByte("version");
        if (version != WireFormat.VERSION) {
            throw new MalformedFrameException("protocol version " + version + ", this node speaks " + WireFormat.VERSION);
        }
        Hello hello = new Hello(r.readString("cluster id", MAX_CLUSTER_ID_BYTES), r.readString("node id", MAX_ID_BYTES),
                r.readString("peer id", MAX_ID_BYTES), r.readFixed("nonce", NONCE_BYTES), r.readLong("incarnation"));
        r.expectEnd("hello");
        return hello;
    }

    @Override
    public String toString() {
        return "Hello[" + from + " -> " + to + " of cluster " + clusterId + "]";
    }
}
