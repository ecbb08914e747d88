package dev.raftkv.transport;

import io.netty.buffer.ByteBuf;

import static dev.raftkv.transport.WireFormat.MAX_COOKIE_BYTES;
import static dev.raftkv.transport.WireFormat.MAX_ID_BYTES;

/**
 * The first frame on every connection, from the connecting side: magic (i32), protocol version (u8),
 * sender id and cluster cookie (u16 length + UTF-8 each). Magic and version lead in every version, so a
 * node can always tell a peer it cannot understand from garbage, and say which.
 */
record Hello(String nodeId, String cookie) {

    void encode(ByteBuf out) {
        encode(WireFormat.VERSION, out);
    }

    /** With another version byte: only tests need to speak a version this node does not. */
    void encode(byte version, ByteBuf out) {
        out.writeInt(WireFormat.MAGIC);
        out.writeByte(version);
        WireWriter.writeString(out, "node id", nodeId, MAX_ID_BYTES);
        WireWriter.writeString(out, "cookie", cookie, MAX_COOKIE_BYTES);
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
        Hello hello = new Hello(r.readString("node id", MAX_ID_BYTES), r.readString("cookie", MAX_COOKIE_BYTES));
        r.expectEnd("hello");
        return hello;
    }

    @Override
    public String toString() {
        return "Hello[" + nodeId + "]"; // never the cookie: it ends up in logs
    }
}
