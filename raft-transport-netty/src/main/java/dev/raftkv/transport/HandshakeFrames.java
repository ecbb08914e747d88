package dev.raftkv.transport;

import io.netty.buffer.ByteBuf;

import static dev.raftkv.transport.WireFormat.MAX_CLUSTER_ID_BYTES;
import static dev.raftkv.transport.WireFormat.MAX_ID_BYTES;
import static dev.raftkv.transport.WireFormat.MAX_REASON_BYTES;
import static dev.raftkv.transport.WireFormat.NONCE_BYTES;
import static dev.raftkv.transport.WireFormat.PROOF_BYTES;

/**
 * The handshake frames that follow the {@link Hello}, each a type byte and its fields:
 * <pre>
 * challenge (accepting side)  = 64, magic i32, version u8, cluster id, node id, nonce (32 bytes), incarnation i64
 * proof     (either side)     = 65, HMAC-SHA256 (32 bytes)
 * refusal   (either side)     = 66, reason (u16 length + UTF-8), after which the sender closes
 * </pre>
 * The challenge repeats magic and version so that the connecting side can name what answered it.
 */
final class HandshakeFrames {
    private HandshakeFrames() {
    }

    /** One frame of the handshake after the hello. */
    sealed interface Frame permits Challenge, Proof, Refusal {
        void encode(ByteBuf out);
    }

    record Challenge(String clusterId, String nodeId, byte[] nonce, long incarnation) implements Frame {
        @Override
        public void encode(ByteBuf out) {
            out.writeByte(WireFormat.HS_CHALLENGE);
            out.writeInt(WireFormat.MAGIC);
            out.writeByte(WireFormat.VERSION);
            WireWriter.writeString(out, "cluster id", clusterId, MAX_CLUSTER_ID_BYTES);
            WireWriter.writeString(out, "node id", nodeId, MAX_ID_BYTES);
            out.writeBytes(nonce);
            out.writeLong(incarnation);
        }
    }

    record Proof(byte[] mac) implements Frame {
        @Override
        public void encode(ByteBuf out) {
            out.writeByte(WireFormat.HS_PROOF);
            out.writeBytes(mac);
        }
    }

    record Refusal(String reason) implements Frame {
        /** A reason cut to what the wire carries: it is for a log, not for a program. */
        static Refusal because(String reason) {
            String r = reason;
            while (r.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_REASON_BYTES) {
                r = r.substring(0, r.length() / 2);
            }
            return new Refusal(r);
        }

        @Override
        public void encode(ByteBuf out) {
            out.writeByte(WireFormat.HS_REFUSAL);
            WireWriter.writeString(out, "reason", reason, MAX_REASON_BYTES);
        }
    }

    /** Reads one handshake frame that must fill {@code body}. */
    static Frame decode(ByteBuf body) throws MalformedFrameException {
        WireReader r = new WireReader(body);
        byte type = r.readByte("handshake frame type");
        Frame f = switch (type) {
            case WireFormat.HS_CHALLENGE -> {
                int magic = r.readInt("magic");
                if (magic != WireFormat.MAGIC) {
                    throw new MalformedFrameException(String.format("not a raftkv peer (magic 0x%08x)", magic));
                }
                byte version = r.readByte("version");
                if (version != WireFormat.VERSION) {
                    throw new MalformedFrameException("the peer speaks protocol version " + version + ", this node "
                            + WireFormat.VERSION);
                }
                yield new Challenge(r.readString("cluster id", MAX_CLUSTER_ID_BYTES), r.readString("node id", MAX_ID_BYTES),
                        r.readFixed("nonce", NONCE_BYTES), r.readLong("incarnation"));
            }
            case WireFormat.HS_PROOF -> new Proof(r.readFixed("proof", PROOF_BYTES));
            case WireFormat.HS_REFUSAL -> new Refusal(r.readString("reason", MAX_REASON_BYTES));
            default -> throw new MalformedFrameException("not a handshake frame (type " + type + ")");
        };
        r.expectEnd("handshake frame");
        return f;
    }
}
