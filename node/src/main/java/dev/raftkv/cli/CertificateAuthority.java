package dev.raftkv.cli;

import dev.raftkv.node.AtomicFile;
import dev.raftkv.transport.Tls;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

/**
 * A small certificate authority for a local cluster ({@code cluster up --tls}) and for tests: an EC P-256
 * CA certificate and key, and per-node certificates it signs, valid for both ends of a TLS connection
 * (server and client auth) and naming the node's hosts as subject alternative names (IP or DNS). Built with
 * BouncyCastle's bcpkix; signatures come from the JDK's own provider. Files are PEM; keys are PKCS#8 and
 * written readable by their owner only.
 */
public final class CertificateAuthority {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String SIGNATURE = "SHA256withECDSA";

    private final X509Certificate cert;
    private final PrivateKey key;
    private final Path certFile;

    private CertificateAuthority(X509Certificate cert, PrivateKey key, Path certFile) {
        this.cert = cert;
        this.key = key;
        this.certFile = certFile;
    }

    /** A new CA named {@code name}, valid from now for {@code validity}, written as {@code certFile} and {@code keyFile}. */
    public static CertificateAuthority create(String name, Duration validity, Path certFile, Path keyFile) throws IOException {
        try {
            KeyPair pair = newKeyPair();
            X500Name subject = new X500Name("CN=" + name);
            Instant now = Instant.now();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject, serial(), Date.from(now.minusSeconds(60)),
                    Date.from(now.plus(validity)), subject, pair.getPublic());
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()));
            X509Certificate cert = sign(b, pair.getPrivate());
            writePem(certFile, cert, false);
            writePem(keyFile, new JcaPKCS8Generator(pair.getPrivate(), null), true);
            return new CertificateAuthority(cert, pair.getPrivate(), certFile);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot make a CA: " + e, e);
        }
    }

    /** The CA of an existing local cluster, to sign a certificate for a node that joins it. */
    public static CertificateAuthority load(Path certFile, Path keyFile) throws IOException {
        try (Reader certIn = Files.newBufferedReader(certFile); PEMParser certPem = new PEMParser(certIn);
             Reader keyIn = Files.newBufferedReader(keyFile); PEMParser keyPem = new PEMParser(keyIn)) {
            X509Certificate cert = new JcaX509CertificateConverter().getCertificate((X509CertificateHolder) certPem.readObject());
            PrivateKey key = new JcaPEMKeyConverter().getPrivateKey((PrivateKeyInfo) keyPem.readObject());
            return new CertificateAuthority(cert, key, certFile);
        } catch (GeneralSecurityException | ClassCastException e) {
            throw new IllegalArgumentException("cannot read the CA in " + certFile + " and " + keyFile + ": " + e, e);
        }
    }

    public Path certFile() {
        return certFile;
    }

    /** A certificate for {@code name}, valid from now for {@code validity}, written into {@code dir}. */
    public Tls.NodeFiles issue(String name, List<String> hosts, Duration validity, Path dir) throws IOException {
        Instant now = Instant.now();
        return issue(name, hosts, now.minusSeconds(60), now.plus(validity), dir);
    }

    /**
     * A certificate for {@code name} naming {@code hosts} (IP literals or DNS names), valid between the two
     * instants (a test may ask for one that has expired), written into {@code dir} as NAME.pem and NAME-key.pem.
     */
    public Tls.NodeFiles issue(String name, List<String> hosts, Instant notBefore, Instant notAfter, Path dir) throws IOException {
        try {
            KeyPair pair = newKeyPair();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(cert, serial(), Date.from(notBefore),
                    Date.from(notAfter), new X500Name("CN=" + name), pair.getPublic());
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            b.addExtension(Extension.extendedKeyUsage, false,
                    new ExtendedKeyUsage(new KeyPurposeId[]{KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
            b.addExtension(Extension.subjectAlternativeName, false, alternativeNames(hosts));
            b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(cert));
            b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()));
            Path certPath = dir.resolve(name + ".pem");
            Path keyPath = dir.resolve(name + "-key.pem");
            writePem(certPath, sign(b, key), false);
            writePem(keyPath, new JcaPKCS8Generator(pair.getPrivate(), null), true);
            return new Tls.NodeFiles(certPath, keyPath, certFile);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot issue a certificate for " + name + ": " + e, e);
        }
    }

    private static GeneralNames alternativeNames(List<String> hosts) {
        List<GeneralName> names = new ArrayList<>();
        for (String h : hosts) {
            boolean ip = h.matches("[0-9.]+") || h.contains(":");
            names.add(new GeneralName(ip ? GeneralName.iPAddress : GeneralName.dNSName, h));
        }
        return new GeneralNames(names.toArray(GeneralName[]::new));
    }

    /** The hosts a certificate for a node reached at these addresses must name: theirs, and both loopback names. */
    public static List<String> hostsOf(List<String> hostPorts) {
        List<String> hosts = new ArrayList<>(List.of("127.0.0.1", "localhost"));
        for (String hp : hostPorts) {
            String h = hp.substring(0, hp.lastIndexOf(':'));
            if (h.startsWith("[")) h = h.substring(1, h.length() - 1);
            if (!hosts.contains(h)) hosts.add(h);
        }
        return hosts;
    }

    private static KeyPair newKeyPair() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
        return g.generateKeyPair();
    }

    private static BigInteger serial() {
        return new BigInteger(64, RANDOM).add(BigInteger.ONE);
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey signer)
            throws OperatorCreationException, GeneralSecurityException {
        ContentSigner s = new JcaContentSignerBuilder(SIGNATURE).build(signer);
        return new JcaX509CertificateConverter().getCertificate(b.build(s));
    }

    private static void writePem(Path file, Object pem, boolean secret) throws IOException {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(text)) {
            if (pem instanceof JcaPKCS8Generator g) w.writeObject(g);
            else w.writeObject(pem);
        }
        AtomicFile.write(file, text.toString().getBytes(StandardCharsets.UTF_8), secret);
    }
}
