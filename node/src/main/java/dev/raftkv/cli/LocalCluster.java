package dev.raftkv.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.raftkv.client.ClientSecurity;
import dev.raftkv.node.AtomicFile;
import dev.raftkv.transport.Tls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

/**
 * The description of a local cluster, kept in {@code <dir>/cluster.json} (mode 0600: it holds the cookie
 * and the tokens) so that {@code cluster up} on the same directory brings back the same cluster with its
 * data, and so that the CLI finds the tokens and the CA of the cluster it talks to ({@link LocalClusters}).
 *
 * @param clusterId   every node's --cluster-id
 * @param clientToken the token for reads and writes; {@code adminToken} for everything
 * @param tls         where the CA lives, relative to the directory; null for a cluster without TLS
 * @param store       where the nodes keep their keys: memory or rocksdb
 * @param heap        the nodes' maximum heap as java's -Xmx takes it (256m, 2g), or null for the JVM's default
 */
public record LocalCluster(String cookie, List<Member> members, String clusterId, String clientToken, String adminToken,
                           TlsLayout tls, String store, String heap) {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final SecureRandom RANDOM = new SecureRandom();
    static final String FILE = "cluster.json";
    /** Long enough for a laptop cluster; `cluster up` on a directory whose certificates expired says so at the first call. */
    private static final Duration CERT_VALIDITY = Duration.ofDays(825);

    /** How a member first found its cluster: {@code PEERS} (the starting set), {@code BOOTSTRAP} or {@code JOIN}. */
    public enum Start { PEERS, BOOTSTRAP, JOIN }

    /** {@code start} is null in a cluster.json written before members could join: those started with --peers. */
    public record Member(String id, String raft, String client, String http, Start start) {
        Start how() {
            return start == null ? Start.PEERS : start;
        }

        List<String> addresses() {
            return List.of(raft, client, http);
        }
    }

    /** The CA's certificate and key, relative to the cluster's directory; node NAME's are NAME.pem and NAME-key.pem beside them. */
    public record TlsLayout(String ca, String caKey) {
    }

    /**
     * {@code store} and {@code heap} are null in a cluster.json written before they existed: the memory store and
     * the JVM's default heap.
     */
    public LocalCluster {
        if (store == null) store = "memory";
    }

    /**
     * @param joinMode the first node bootstraps a cluster of its own and the others join it, as in the
     *                 original demo; otherwise all start together from one --peers list
     * @param heap     the nodes' maximum heap as java's -Xmx takes it (256m, 2g), or null for the JVM's default
     */
    static LocalCluster create(int nodes, int raftBase, int clientBase, int httpBase, boolean joinMode, boolean tls,
                               String store, String heap) {
        List<Member> members = new ArrayList<>();
        for (int i = 1; i <= nodes; i++) {
            Start how = !joinMode ? Start.PEERS : i == 1 ? Start.BOOTSTRAP : Start.JOIN;
            members.add(new Member("n" + i, "127.0.0.1:" + (raftBase + i - 1), "127.0.0.1:" + (clientBase + i - 1),
                    "127.0.0.1:" + (httpBase + i - 1), how));
        }
        return new LocalCluster(secret(16), members, UUID.randomUUID().toString(), secret(24), secret(24),
                tls ? new TlsLayout("tls/ca.pem", "tls/ca-key.pem") : null, store, heap);
    }

    private static String secret(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** The cluster with one more member, on the next ports after the highest in use, that will join. */
    LocalCluster withNewMember() {
        int n = members.size() + 1;
        String id = "n" + n;
        if (members.stream().anyMatch(m -> m.id().equals(id))) throw new IllegalStateException(id + " exists already");
        List<Member> more = new ArrayList<>(members);
        more.add(new Member(id, nextPort(Member::raft), nextPort(Member::client), nextPort(Member::http), Start.JOIN));
        return new LocalCluster(cookie, more, clusterId, clientToken, adminToken, tls, store, heap);
    }

    private String nextPort(java.util.function.Function<Member, String> address) {
        int max = members.stream().mapToInt(m -> Integer.parseInt(address.apply(m).substring(address.apply(m).lastIndexOf(':') + 1)))
                .max().orElseThrow();
        return "127.0.0.1:" + (max + 1);
    }

    static LocalCluster load(Path dir) throws IOException {
        return JSON.readValue(dir.resolve(FILE).toFile(), LocalCluster.class);
    }

    static boolean exists(Path dir) {
        return Files.isRegularFile(dir.resolve(FILE));
    }

    /** Writes cluster.json (owner only), and tells the CLI where this cluster lives. */
    void save(Path dir) throws IOException {
        save(dir, LocalClusters.registry());
    }

    void save(Path dir, Path registry) throws IOException {
        AtomicFile.write(dir.resolve(FILE), JSON.writeValueAsBytes(this), true);
        LocalClusters.register(registry, dir);
    }

    /** Makes the CA and a certificate for every member that has none yet (a new cluster, a member just added). */
    void issueCertificates(Path dir) throws IOException {
        if (tls == null) return;
        Path ca = dir.resolve(tls.ca());
        Path caKey = dir.resolve(tls.caKey());
        CertificateAuthority authority = Files.exists(ca) ? CertificateAuthority.load(ca, caKey)
                : CertificateAuthority.create("raftkv local CA " + clusterId, CERT_VALIDITY, ca, caKey);
        for (Member m : members) {
            if (!Files.exists(certOf(dir, m.id()))) {
                authority.issue(m.id(), CertificateAuthority.hostsOf(m.addresses()), CERT_VALIDITY, ca.getParent());
            }
        }
    }

    private Path certOf(Path dir, String id) {
        return dir.resolve(tls.ca()).getParent().resolve(id + ".pem");
    }

    /** A member's TLS files, or null without TLS. */
    Tls.NodeFiles tlsOf(Path dir, String id) {
        if (tls == null) return null;
        Path certs = dir.resolve(tls.ca()).getParent();
        return new Tls.NodeFiles(certs.resolve(id + ".pem"), certs.resolve(id + "-key.pem"), dir.resolve(tls.ca()));
    }

    /** How the CLI talks to this cluster: its CA, and the admin token (the CLI is the cluster's operator). */
    ClientSecurity clientSecurity(Path dir, boolean admin) {
        return new ClientSecurity(tls == null ? null : dir.resolve(tls.ca()).toAbsolutePath(), admin ? adminToken : clientToken);
    }

    Member member(String id) {
        return members.stream().filter(m -> m.id().equals(id)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no node '" + id + "' in this cluster; it has "
                        + members.stream().map(Member::id).toList()));
    }

    /** The starting members' Raft addresses (members that joined later learn the others from the log). */
    String peersFlag() {
        return String.join(",", members.stream().filter(m -> m.how() == Start.PEERS).map(m -> m.id() + "=" + m.raft()).toList());
    }

    /** Where a joining member asks to be added: every other member's HTTP address. */
    String joinFlag(String id) {
        return String.join(",", members.stream().filter(m -> !m.id().equals(id)).map(Member::http).toList());
    }

    String peerHttpFlag() {
        return String.join(",", members.stream().map(m -> m.id() + "=" + m.http()).toList());
    }

    String peerClientFlag() {
        return String.join(",", members.stream().map(m -> m.id() + "=" + m.client()).toList());
    }

    List<String> httpAddresses() {
        return members.stream().map(Member::http).toList();
    }

    @Override
    public String toString() {
        return "LocalCluster" + members.stream().map(Member::id).toList(); // never the secrets
    }
}
