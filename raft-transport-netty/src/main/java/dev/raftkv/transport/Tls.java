package dev.raftkv.transport;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * TLS 1.3 for every port, from PEM files (a certificate chain, its PKCS#8 key, and the CA that signs every
 * member's certificate). The Raft port is mutual: both ends present a certificate the CA signed. The client
 * and HTTP ports authenticate the server only (callers prove themselves with tokens). Clients check that
 * the certificate names the host they dialed (an IP or DNS subject alternative name).
 */
public final class Tls {
    private static final Logger log = LoggerFactory.getLogger(Tls.class);
    private static final String TLS_1_3 = "TLSv1.3";

    private Tls() {
    }

    /** A node's TLS files, PEM: its certificate (chain), its private key (PKCS#8) and the cluster's CA. */
    public record NodeFiles(Path cert, Path key, Path ca) {
        public NodeFiles {
            for (Path p : new Path[]{cert, key, ca}) {
                if (p == null) throw new IllegalArgumentException("TLS needs --tls-cert, --tls-key and --tls-ca together");
                if (!Files.isReadable(p)) throw new IllegalArgumentException("TLS file " + p + " cannot be read");
            }
        }

        /** The accepting side of a port; with {@code mutual}, a peer without a certificate the CA signed is refused. */
        public SslContext server(boolean mutual) {
            try {
                SslContextBuilder b = SslContextBuilder.forServer(cert.toFile(), key.toFile()).sslProvider(SslProvider.JDK)
                        .protocols(TLS_1_3);
                if (mutual) b.trustManager(ca.toFile()).clientAuth(ClientAuth.REQUIRE);
                return b.build();
            } catch (SSLException | IllegalArgumentException e) {
                throw new IllegalArgumentException("cannot use TLS files " + cert + " and " + key + ": " + describe(e), e);
            }
        }

        /** The connecting side of a Raft connection: it presents this node's certificate and trusts the CA. */
        public SslContext client() {
            try {
                return SslContextBuilder.forClient().sslProvider(SslProvider.JDK).protocols(TLS_1_3)
                        .keyManager(cert.toFile(), key.toFile()).trustManager(ca.toFile())
                        .endpointIdentificationAlgorithm("HTTPS").build();
            } catch (SSLException | IllegalArgumentException e) {
                throw new IllegalArgumentException("cannot use TLS files " + cert + ", " + key + " and " + ca + ": "
                        + describe(e), e);
            }
        }
    }

    /** A client that trusts {@code ca} and presents no certificate (the binary client, the CLI). */
    public static SslContext trusting(Path ca) {
        try {
            return SslContextBuilder.forClient().sslProvider(SslProvider.JDK).protocols(TLS_1_3).trustManager(ca.toFile())
                    .endpointIdentificationAlgorithm("HTTPS").build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot use the CA file " + ca + ": " + describe(e), e);
        }
    }

    /** The same trust for {@code java.net.http.HttpClient}. */
    public static SSLContext jdkTrusting(Path ca) {
        try (InputStream in = Files.newInputStream(ca)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            int i = 0;
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                store.setCertificateEntry("ca-" + i++, c);
            }
            if (i == 0) throw new IllegalArgumentException("the CA file " + ca + " holds no certificate");
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            SSLContext context = SSLContext.getInstance(TLS_1_3);
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot use the CA file " + ca + ": " + describe(e), e);
        }
    }

    /** Adds the server side of TLS in front of a pipeline, with a log line for every refused handshake. */
    public static void addServer(ChannelPipeline pipeline, SslContext context, String port, Runnable onRefused) {
        pipeline.addFirst(new HandshakeLogger(port, onRefused));
        pipeline.addFirst(context.newHandler(pipeline.channel().alloc()));
    }

    /** Adds the client side of TLS, checking that the certificate names {@code dialed}'s host. */
    public static void addClient(ChannelPipeline pipeline, SslContext context, InetSocketAddress dialed, String port) {
        pipeline.addFirst(new HandshakeLogger(port, () -> { }));
        pipeline.addFirst(context.newHandler(pipeline.channel().alloc(), dialed.getHostString(), dialed.getPort()));
    }

    /** Whether a failure is TLS refusing the other side (a certificate, a protocol), not a connection that broke. */
    public static boolean refusal(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof SSLException || c instanceof NotSslRecordException) return true;
        }
        return false;
    }

    /** The causes of a failure in one line: what a log needs to say why a handshake was refused. */
    public static String describe(Throwable t) {
        List<String> parts = new ArrayList<>();
        for (Throwable c = t; c != null && parts.size() < 4; c = c.getCause()) {
            if (c instanceof NotSslRecordException) {
                parts.add("not TLS (a plain-text peer?)");
                break;
            }
            String m = c.getMessage();
            String part = c.getClass().getSimpleName() + (m == null ? "" : ": " + m);
            if (parts.stream().noneMatch(p -> p.contains(m == null ? part : m))) parts.add(part);
        }
        return String.join("; ", parts);
    }

    /**
     * Logs a failed TLS handshake once, with its reason, and closes the connection; exceptions before the
     * handshake completed are that failure again and are not passed on to be logged twice.
     */
    private static final class HandshakeLogger extends ChannelInboundHandlerAdapter {
        private final String port;
        private final Runnable onRefused;
        private boolean done;

        HandshakeLogger(String port, Runnable onRefused) {
            this.port = port;
            this.onRefused = onRefused;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof SslHandshakeCompletionEvent e) {
                if (e.isSuccess()) {
                    done = true;
                } else {
                    failed(ctx, e.cause());
                    return;
                }
            }
            super.userEventTriggered(ctx, evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (done) {
                ctx.fireExceptionCaught(cause);
            } else {
                failed(ctx, cause);
                ctx.fireExceptionCaught(cause); // the handler behind may be waiting for the handshake's outcome
            }
        }

        private void failed(ChannelHandlerContext ctx, Throwable cause) {
            if (done) return;
            done = true;
            if (refusal(cause)) {
                onRefused.run();
                log.warn("{}: TLS handshake with {} refused: {}", port, ctx.channel().remoteAddress(), describe(cause));
            } else {
                log.debug("{}: the connection with {} ended during the TLS handshake: {}", port, ctx.channel().remoteAddress(),
                        describe(cause));
            }
            ctx.close();
        }
    }
}
