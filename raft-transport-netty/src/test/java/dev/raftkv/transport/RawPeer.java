package dev.raftkv.transport;

import dev.raftkv.raft.Message;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;

/** A hand-driven TCP client that writes whatever bytes a test wants, well-formed or not. */
final class RawPeer implements AutoCloseable {
    private final Socket socket = new Socket();
    private final OutputStream out;
    private final InputStream in;

    RawPeer(InetSocketAddress server) throws IOException {
        socket.connect(server, 5000);
        socket.setSoTimeout((int) TransportContract.PATIENCE.toMillis());
        out = socket.getOutputStream();
        in = socket.getInputStream();
    }

    RawPeer write(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    RawPeer writeInt(int value) throws IOException {
        return write(new byte[]{(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value});
    }

    RawPeer hello(String id, String cookie) throws IOException {
        return hello(id, cookie, WireFormat.VERSION);
    }

    RawPeer hello(String id, String cookie, byte version) throws IOException {
        return frame(buf -> new Hello(id, cookie).encode(version, buf));
    }

    RawPeer message(Message m) throws IOException {
        return frame(buf -> new RaftCodec().encode(m, buf));
    }

    RawPeer frame(java.util.function.Consumer<ByteBuf> body) throws IOException {
        ByteBuf frame = Framing.frame(Unpooled.buffer().alloc(), Integer.MAX_VALUE, body);
        try {
            return write(ByteBufUtil.getBytes(frame));
        } finally {
            frame.release();
        }
    }

    /**
     * Blocks until the server closes the connection (end of stream or reset), at most the socket timeout.
     * The server never writes to a connecting peer, so any byte read is a failure too.
     */
    void awaitClosedByServer() throws IOException {
        try {
            int b = in.read();
            if (b != -1) throw new AssertionError("the server wrote a byte: " + b);
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the server kept the connection open", e);
        } catch (SocketException e) {
            // a reset: the server closed with our unread bytes still queued, which is a close too
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
