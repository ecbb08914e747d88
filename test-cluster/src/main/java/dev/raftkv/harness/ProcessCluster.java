package dev.raftkv.harness;

import dev.raftkv.cli.CertificateAuthority;
import dev.raftkv.cli.RaftkvCli;
import dev.raftkv.client.ClientSecurity;
import dev.raftkv.transport.Tls;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Real node processes on 127.0.0.1, for end-to-end tests: each node is a JVM started from the current
 * classpath, with ports reserved from the OS, a data directory, and a log file. Every process this
 * class starts is ended by {@link #close()}, by PID. The cluster is protected as a careful operator's
 * would be: one cluster id, client and admin tokens (the harness calls with the admin token), and with
 * {@link #withTls()} TLS on every port from a CA of its own. A node that needs a test-only switch
 * ({@code --unsafe-...}) is started through {@link UnsafeNodeMain}, never through {@code raftkv node}.
 */
public final class ProcessCluster implements AutoCloseable {
    /** One member: its ports and, while it runs, its process. */
    public static final class Member {
        public final String id;
        public final int raftPort;
        public final int httpPort;
        public final int clientPort;
        final Path dataDir;
        final Path log;
        Process process;

        Member(String id, int raftPort, int httpPort, int clientPort, Path dataDir, Path log) {
            this.id = id;
            this.raftPort = raftPort;
            this.httpPort = httpPort;
            this.clientPort = clientPort;
            this.dataDir = dataDir;
            this.log = log;
        }

        public String http() {
            return "127.0.0.1:" + httpPort;
        }

        /** Where the binary client protocol is served. */
        public String client() {
            return "127.0.0.1:" + clientPort;
        }

        public boolean isRunning() {
            return process != null && process.isAlive();
        }

        public long pid() {
            return process.pid();
        }
    }

    private final Map<String, Member> members = new LinkedHashMap<>();
    /** With {@link #withLinkProxies}: the proxy each node reaches each peer through, keyed "from->to". */
    private final Map<String, LinkProxy> links = new LinkedHashMap<>();
    private final String cookie;
    private final Path dir;
    /** The members created with the cluster: the --peers of {@link #start}. Members added later join. */
    private final java.util.Set<String> initial = new java.util.LinkedHashSet<>();
    private final String clusterId = java.util.UUID.randomUUID().toString();
    private final String clientToken = "client-" + java.util.UUID.randomUUID();
    private final String adminToken = "admin-" + java.util.UUID.randomUUID();
    /** Null until {@link #withTls()}: then every node gets a certificate from it. */
    private CertificateAuthority ca;
    /** Whether {@link #start} tells each node its peers' HTTP and client addresses (--peer-http, --peer-client). */
    private boolean peerAddressFlags = true;
    private ClientSecurity security;
    private HttpClient http;

    public ProcessCluster(Path dir, int nodes, String cookie) throws IOException {
        this.cookie = cookie;
        this.dir = dir;
        useSecurity(new ClientSecurity(null, adminToken));
        for (int i = 1; i <= nodes; i++) {
            Member m = addMember();
            initial.add(m.id);
        }
    }

    private void useSecurity(ClientSecurity s) {
        this.security = s;
        this.http = s.tls() ? s.httpClient() : s.httpClient(Duration.ofSeconds(1));
    }

    /**
     * {@link #start} passes the node issue's launch command alone: --peers (Raft addresses) and no --peer-http or
     * --peer-client, so the nodes must learn where their peers serve HTTP and clients by themselves.
     */
    public ProcessCluster withoutPeerAddressFlags() {
        peerAddressFlags = false;
        return this;
    }

    /** Every port of every node speaks TLS, with certificates from a CA made for this cluster; call before starting. */
    public ProcessCluster withTls() throws IOException {
        Path tls = dir.resolve("tls");
        ca = CertificateAuthority.create("raftkv test CA", Duration.ofDays(2), tls.resolve("ca.pem"), tls.resolve("ca-key.pem"));
        useSecurity(new ClientSecurity(ca.certFile(), adminToken));
        return this;
    }

    /** How a client reaches this cluster (its CA if TLS is on) with the client token. */
    public ClientSecurity clientSecurity() {
        return security.withToken(clientToken);
    }

    /** The cluster's CA, or null without TLS (a test issues certificates from it, or from another CA). */
    public CertificateAuthority ca() {
        return ca;
    }

    public String clusterId() {
        return clusterId;
    }

    /** A new member with its own ports and directory, not started, in nobody's membership yet. */
    public Member addMember() throws IOException {
        String id = "n" + (members.size() + 1);
        Member m = new Member(id, freePort(), freePort(), freePort(), dir.resolve(id), dir.resolve(id + ".log"));
        members.put(id, m);
        return m;
    }

    /**
     * Puts a TCP proxy on every directed node-to-node link (each node is given peer addresses that point
     * at its own proxies), so that {@link #partition} can cut links without root or a firewall.
     */
    public ProcessCluster withLinkProxies() throws IOException {
        for (Member from : members.values()) {
            for (Member to : members.values()) {
                if (from != to) links.put(from.id + "->" + to.id, new LinkProxy(to.raftPort));
            }
        }
        return this;
    }

    /** Cuts every link between a node in {@code side} and one outside it (both directions); heals the rest. */
    public void partition(java.util.Set<String> side) {
        links.forEach((name, proxy) -> {
            String[] ends = name.split("->");
            if (side.contains(ends[0]) != side.contains(ends[1])) proxy.block();
            else proxy.unblock();
        });
    }

    public void heal() {
        links.values().forEach(LinkProxy::unblock);
    }

    private String peerAddressFor(Member from, Member to) {
        LinkProxy proxy = links.get(from.id + "->" + to.id);
        return "127.0.0.1:" + (proxy == null ? to.raftPort : proxy.port());
    }

    public List<Member> members() {
        return List.copyOf(members.values());
    }

    public Member member(String id) {
        return members.get(id);
    }

    /**
     * A port nothing listens on, for a node to bind, and to bind again after each restart. It is drawn
     * below the range the OS hands out as the local ports of outgoing connections
     * ({@code net.ipv4.ip_local_port_range}, 32768 and up by default): a port from that range, free when
     * reserved, can become the local end of some connection (the harness's own HTTP clients, the link
     * proxies, other tests) while its node is down, and the restart then fails with "Address already in
     * use" (a 5-minute verify run lost two restarts that way). Drawn at random and checked by binding it,
     * so concurrent harnesses rarely pick the same one; the OS's choice of port 0 is the fallback.
     */
    private static int freePort() throws IOException {
        int below = ephemeralRangeStart();
        for (int attempt = 0; attempt < 100 && below > 11_000; attempt++) {
            int port = 10_000 + PORTS.nextInt(below - 10_000);
            if (HANDED_OUT.contains(port)) continue; // given to a node of this JVM already, which may be down
            try (ServerSocket s = new ServerSocket()) {
                s.bind(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), port));
                HANDED_OUT.add(port);
                return port;
            } catch (IOException taken) {
                // in use: draw again
            }
        }
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    private static final java.util.Random PORTS = new java.util.Random();
    private static final java.util.Set<Integer> HANDED_OUT = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private static int ephemeralRangeStart() {
        try {
            return Integer.parseInt(Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return 32768;
        }
    }
    public void startAll(String... extraArgs) throws IOException {
        for (Member m : members.values()) start(m.id, extraArgs);
    }

    /** Starts a member of the starting membership (--peers: the members the cluster was created with). */
    public void start(String id, String... extraArgs) throws IOException {
        Member m = members.get(id);
        String peers = members.values().stream().filter(p -> initial.contains(p.id))
                .map(p -> p.id + "=" + peerAddressFor(m, p)).collect(Collectors.joining(","));
        String peerHttp = members.values().stream().filter(p -> initial.contains(p.id))
                .map(p -> p.id + "=127.0.0.1:" + p.httpPort).collect(Collectors.joining(","));
        String peerClient = members.values().stream().filter(p -> initial.contains(p.id))
                .map(p -> p.id + "=" + p.client()).collect(Collectors.joining(","));
        launch(m, peerAddressFlags
                ? List.of("--peers", peers, "--peer-http", peerHttp, "--peer-client", peerClient, "--cluster-id", clusterId)
                : List.of("--peers", peers, "--cluster-id", clusterId), extraArgs);
    }

    /** Starts a member as a new cluster of its own ({@code --bootstrap}). */
    public void startBootstrap(String id, String... extraArgs) throws IOException {
        launch(members.get(id), List.of("--bootstrap", "--cluster-id", clusterId), extraArgs);
    }

    /** Starts a member that asks the members {@code via} (by id) to let it join ({@code --join}). */
    public void startJoining(String id, List<String> via, String... extraArgs) throws IOException {
        String join = via.stream().map(v -> members.get(v).http()).collect(Collectors.joining(","));
        launch(members.get(id), List.of("--join", join), extraArgs);
    }

    /** Starts a member with its data directory alone: no --peers, --bootstrap or --join. */
    public void startFromData(String id, String... extraArgs) throws IOException {
        launch(members.get(id), List.of(), extraArgs);
    }

    private void launch(Member m, List<String> membershipArgs, String... extraArgs) throws IOException {
        if (m.isRunning()) return;
        // the product's node command accepts no test-only switch: such a node starts through the test entry point
        boolean unsafe = java.util.Arrays.stream(extraArgs).anyMatch(a -> a.startsWith("--unsafe-"));
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:TieredStopAtLevel=1",
                // the node's own logging (INFO), not the quiet logback-test.xml a test classpath also holds
                "-Dlogback.configurationFile=logback.xml",
                "-cp", System.getProperty("java.class.path")));
        cmd.addAll(unsafe ? List.of(UnsafeNodeMain.class.getName()) : List.of(RaftkvCli.class.getName(), "node"));
        cmd.addAll(List.of("--id", m.id, "--raft", "127.0.0.1:" + m.raftPort, "--http", "127.0.0.1:" + m.httpPort,
                "--client", m.client(), "--data-dir", m.dataDir.toString()));
        if (ca != null) {
            Tls.NodeFiles tls = tlsOf(m);
            cmd.addAll(List.of("--tls-cert", tls.cert().toString(), "--tls-key", tls.key().toString(),
                    "--tls-ca", tls.ca().toString()));
        }
        cmd.addAll(membershipArgs);
        cmd.addAll(List.of(extraArgs));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(m.log.toFile()));
        pb.environment().put("RAFTKV_COOKIE", cookie);
        pb.environment().put("RAFTKV_CLIENT_TOKEN", clientToken);
        pb.environment().put("RAFTKV_ADMIN_TOKEN", adminToken);
        m.process = pb.start();
    }

    /** A member's certificate and key from the cluster's CA, made the first time it is started. */
    private Tls.NodeFiles tlsOf(Member m) throws IOException {
        Path certs = dir.resolve("tls");
        Path cert = certs.resolve(m.id + ".pem");
        if (!Files.exists(cert)) return ca.issue(m.id, List.of("127.0.0.1", "localhost"), Duration.ofDays(1), certs);
        return new Tls.NodeFiles(cert, certs.resolve(m.id + "-key.pem"), ca.certFile());
    }

    /** SIGKILL: no shutdown hook runs, nothing is flushed. */
    public void kill9(String id) throws InterruptedException {
        Member m = members.get(id);
        if (m.process == null) return;
        m.process.destroyForcibly();
        m.process.waitFor();
    }

    /** SIGTERM, and wait for the clean exit. */
    public void stop(String id) throws InterruptedException {
        Member m = members.get(id);
        if (m.process == null) return;
        m.process.destroy();
        if (!m.process.waitFor(15, java.util.concurrent.TimeUnit.SECONDS)) {
            m.process.destroyForcibly();
            m.process.waitFor();
        }
    }

    /** The HTTP answer of one member, or null if it does not answer within 10 s. */
    public HttpResponse<String> call(String id, String method, String path, String body) {
        return call(id, method, path, body, Duration.ofSeconds(10));
    }

    /** The HTTP answer of one member, or null if it does not answer within {@code timeout}. */
    public HttpResponse<String> call(String id, String method, String path, String body, Duration timeout) {
        return call(security, id, method, path, body, timeout);
    }

    /** As a caller with {@code token} (null: none) instead of the harness's admin token. */
    public HttpResponse<String> callWithToken(String token, String id, String method, String path, String body) {
        return call(new ClientSecurity(security.ca(), token), id, method, path, body, Duration.ofSeconds(10));
    }

    private HttpResponse<String> call(ClientSecurity as, String id, String method, String path, String body, Duration timeout) {
        Member m = members.get(id);
        try {
            HttpRequest req = as.authorize(HttpRequest.newBuilder(as.uri(m.http(), path)))
                    .timeout(timeout)
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                    .build();
            return http.send(req, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /**
     * The id of a running member that reports itself leader, or null. A member that does not answer its
     * status within a second (stopped by SIGSTOP, say) is passed over rather than waited for.
     */
    public String leader() {
        for (Member m : members.values()) {
            if (!m.isRunning()) continue;
            HttpResponse<String> r = call(m.id, "GET", "/v1/status", null, Duration.ofSeconds(1));
            if (r != null && r.statusCode() == 200 && "leader".equals(roleIn(r.body()))) return m.id;
        }
        return null;
    }

    /**
     * The leader every running member names, or null while they do not all name the same one. A node that has
     * just been elected knows it before its followers do; a request sent to one of them meanwhile gets 503.
     */
    public String agreedLeader() {
        String agreed = null;
        for (Member m : members.values()) {
            if (!m.isRunning()) continue;
            HttpResponse<String> r = call(m.id, "GET", "/v1/status", null, Duration.ofSeconds(1));
            if (r == null || r.statusCode() != 200) return null;
            String leader;
            try {
                leader = JSON.readTree(r.body()).path("leader").asText(null);
            } catch (IOException e) {
                return null;
            }
            if (leader == null || (agreed != null && !agreed.equals(leader))) return null;
            agreed = leader;
        }
        return agreed;
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    /** The "role" of a /v1/status body, or null if it has none. */
    private static String roleIn(String statusJson) {
        try {
            return JSON.readTree(statusJson).path("role").asText(null);
        } catch (IOException e) {
            return null;
        }
    }

    public String logOf(String id) {
        try {
            return Files.readString(members.get(id).log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() {
        links.values().forEach(LinkProxy::close);
        for (Member m : members.values()) {
            if (m.process != null && m.process.isAlive()) {
                m.process.destroyForcibly();
                try {
                    m.process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
