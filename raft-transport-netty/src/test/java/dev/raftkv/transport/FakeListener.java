package dev.raftkv.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;

/**
 * A listening socket that plays a peer a node dials: it takes one connection, records every byte the
 * node sends, and answers the handshake as told: correctly (with the cookie it was given), or with a proof
 * of its own making (a stranger who does not know the cookie). Then it stops reading.
 */
public final class FakeListener implements AutoCloseable {
    private final ServerSocket server = new ServerSocket();
    private final String selfId;
    private final String cookie;
    private final String clusterId;
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
    private Socket accepted;

    /** @param cookie the cookie to prove with; null to answer with a made-up proof */
    public FakeListener(String selfId, String cookie, String clusterId) throws IOException {
        this.selfId = selfId;
        this.cookie = cookie;
        this.clusterId = clusterId;
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        server.setSoTimeout((int) TransportContract.PATIENCE.toMillis());
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    /**
     * Accepts one connection and answers its handshake: a challenge, then (once the node sent its proof) a
     * proof that is right only if this listener knows the cookie.
     *
     * @return whether the node sent a proof (it does once the challenge is acceptable)
     */
    public synchronized boolean answerOneHandshake() throws IOException {
        accepted = server.accept();
        accepted.setSoTimeout((int) TransportContract.PATIENCE.toMillis());
        DataInputStream in = new DataInputStream(accepted.getInputStream());
        Hello hello;
        try {
            hello = Hello.decode(Unpooled.wrappedBuffer(readFrame(in)));
        } catch (MalformedFrameException e) {
            throw new AssertionError("the node's hello does not decode: " + e.getMessage(), e);
        }
        HandshakeFrames.Challenge challenge = new HandshakeFrames.Challenge(clusterId, selfId, Handshake.nonce(), INCARNATION);
        write(challenge::encode);
        HandshakeFrames.Frame reply;
        try {
            reply = HandshakeFrames.decode(Unpooled.wrappedBuffer(readFrame(in)));
        } catch (MalformedFrameException e) {
            throw new AssertionError("the node's reply does not decode: " + e.getMessage(), e);
        }
        if (!(reply instanceof HandshakeFrames.Proof)) return false;
        byte[] proof = cookie == null ? Handshake.nonce()
                : new Handshake(selfId, Set.of(hello.from()), cookie, () -> clusterId).serverProof(hello, challenge);
        write(new HandshakeFrames.Proof(proof)::encode);
        return true;
    }

    /** Reads whatever else the node sends until it closes the connection (or the patience runs out). */
    public synchronized void drainUntilClosed() {
        try {
            byte[] buf = new byte[4096];
            for (int n; (n = accepted.getInputStream().read(buf)) != -1; ) captured.write(buf, 0, n);
        } catch (IOException e) {
            // closed or reset: what we have is everything
        }
    }

    /** The next frame the node sends after the handshake (a small one), waiting at most the patience for it. */
    public synchronized byte[] nextFrame() throws IOException {
        return readFrame(new DataInputStream(accepted.getInputStream()));
    }

    /** The incarnation this listener names in its challenge. */
    static final long INCARNATION = 1L;

    /** Every byte the node sent. */
    public synchronized byte[] captured() {
        return captured.toByteArray();
    }

    private byte[] readFrame(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 1 || length > WireFormat.MAX_HANDSHAKE_FRAME_BYTES) throw new AssertionError("frame length " + length);
        byte[] body = new byte[length];
        in.readFully(body);
        captured.write(length >>> 24);
        captured.write(length >>> 16);
        captured.write(length >>> 8);
        captured.write(length);
        captured.write(body);
        return body;
    }

    private void write(java.util.function.Consumer<ByteBuf> body) throws IOException {
        ByteBuf frame = Framing.frame(Unpooled.buffer().alloc(), WireFormat.MAX_HANDSHAKE_FRAME_BYTES, body);
        try {
            OutputStream out = accepted.getOutputStream();
            out.write(ByteBufUtil.getBytes(frame));
            out.flush();
        } finally {
            frame.release();
        }
    }

    @Override
    public void close() throws IOException {
        if (accepted != null) accepted.close();
        server.close();
    }
}
