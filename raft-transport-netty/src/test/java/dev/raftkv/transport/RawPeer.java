package dev.raftkv.transport;

import dev.raftkv.raft.Message;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;

/**
 * A hand-driven TCP client that writes whatever bytes a test wants, well-formed or not, and records every
 * byte the node sends it. Public: the node's tests use it too, through this module's test-jar.
 */
public final class RawPeer implements AutoCloseable {
    private final Socket socket = new Socket();
    private final OutputStream out;
    private final InputStream in;
    /** Everything the node sent on this connection. */
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();

    public RawPeer(InetSocketAddress server) throws IOException {
        socket.connect(server, 5000);
        socket.setSoTimeout((int) TransportContract.PATIENCE.toMillis());
        out = socket.getOutputStream();
        in = socket.getInputStream();
    }

    public RawPeer write(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    public RawPeer writeInt(int value) throws IOException {
        return write(new byte[]{(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value});
    }

    /** The whole handshake as peer {@code id} of the empty cluster, with node "b", using {@code cookie}. */
    public RawPeer hello(String id, String cookie) throws IOException {
        return handshake(id, "b", "", cookie);
    }

    /** Only a hello, with another version byte. */
    RawPeer hello(String id, String cookie, byte version) throws IOException {
        return frame(buf -> new Hello("", id, "b", Handshake.nonce(), 1L).encode(version, buf));
    }

    /**
     * Runs the connecting side of the handshake as a correct peer would.
     *
     * @throws AssertionError if the node refuses or does not prove the cookie
     */
    public RawPeer handshake(String from, String to, String clusterId, String cookie) throws IOException {
        return handshake(from, to, clusterId, cookie, new Handshake(from, java.util.Set.of(to), cookie, () -> clusterId).hello(to).incarnation());
    }

    /** As {@link #handshake(String, String, String, String)}, as a peer of the given incarnation. */
    RawPeer handshake(String from, String to, String clusterId, String cookie, long incarnation) throws IOException {
        Handshake h = new Handshake(from, java.util.Set.of(to), cookie, () -> clusterId);
        Hello hello = new Hello(clusterId, from, to, Handshake.nonce(), incarnation);
        frame(hello::encode);
        HandshakeFrames.Frame reply = readHandshakeFrame();
        if (!(reply instanceof HandshakeFrames.Challenge c)) throw new AssertionError("no challenge but " + reply);
        frame(new HandshakeFrames.Proof(h.clientProof(hello, c))::encode);
        HandshakeFrames.Frame proof = readHandshakeFrame();
        if (!(proof instanceof HandshakeFrames.Proof p) || !Handshake.matches(h.serverProof(hello, c), p.mac())) {
            throw new AssertionError("the node did not prove the cookie: " + proof);
        }
        return this;
    }

    /** Reads one frame the node sent and decodes it as a handshake frame. */
    HandshakeFrames.Frame readHandshakeFrame() throws IOException {
        ByteBuf body = Unpooled.wrappedBuffer(readFrame());
        try {
            return HandshakeFrames.decode(body);
        } catch (MalformedFrameException e) {
            throw new AssertionError("not a handshake frame: " + e.getMessage(), e);
        }
    }

    /** One whole frame's body from the node. */
    public byte[] readFrame() throws IOException {
        DataInputStream data = new DataInputStream(in);
        int length = data.readInt();
        byte[] body = new byte[length];
        data.readFully(body);
        received.write(length >>> 24);
        received.write(length >>> 16);
        received.write(length >>> 8);
        received.write(length);
        received.write(body);
        return body;
    }

    public RawPeer message(Message m) throws IOException {
        return frame(buf -> new RaftCodec().encode(m, buf));
    }

    public RawPeer frame(java.util.function.Consumer<ByteBuf> body) throws IOException {
        ByteBuf frame = Framing.frame(Unpooled.buffer().alloc(), Integer.MAX_VALUE, body);
        try {
            return write(ByteBufUtil.getBytes(frame));
        } finally {
            frame.release();
        }
    }

    /**
     * Blocks until the node closes the connection (end of stream or reset), at most the socket timeout, and
     * returns what it sent meanwhile (a refusal, if it said why).
     */
    public byte[] awaitClosedByServer() throws IOException {
        ByteArrayOutputStream tail = new ByteArrayOutputStream();
        try {
            byte[] buf = new byte[4096];
            for (int n; (n = in.read(buf)) != -1; ) {
                tail.write(buf, 0, n);
                received.write(buf, 0, n);
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the node kept the connection open", e);
        } catch (SocketException e) {
            // a reset: the node closed with our unread bytes still queued, which is a close too
        }
        return tail.toByteArray();
    }

    /** Every byte the node sent on this connection so far. */
    public byte[] received() {
        return received.toByteArray();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
