package dev.raftkv.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The description of a local cluster, kept in {@code <dir>/cluster.json} so that {@code cluster up}
 * on the same directory brings back the same cluster with its data.
 */
public record LocalCluster(String cookie, List<Member> members, String store, String heap) {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    static final String FILE = "cluster.json";

    /** How a member first found its cluster: {@code PEERS} (the starting set), {@code BOOTSTRAP} or {@code JOIN}. */
    public enum Start { PEERS, BOOTSTRAP, JOIN }

    /** {@code start} is null in a cluster.json written before members could join: those started with --peers. */
    public record Member(String id, String raft, String client, String http, Start start) {
        Start how() {
            return start == null ? Start.PEERS : start;
        }
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
    static LocalCluster create(int nodes, int raftBase, int clientBase, int httpBase, boolean joinMode, String store,
                               String heap) {
        byte[] secret = new byte[16];
        new SecureRandom().nextBytes(secret);
        List<Member> members = new ArrayList<>();
        for (int i = 1; i <= nodes; i++) {
            Start how = !joinMode ? Start.PEERS : i == 1 ? Start.BOOTSTRAP : Start.JOIN;
            members.add(new Member("n" + i, "127.0.0.1:" + (raftBase + i - 1), "127.0.0.1:" + (clientBase + i - 1),
                    "127.0.0.1:" + (httpBase + i - 1), how));
        }
        return new LocalCluster(HexFormat.of().formatHex(secret), members, store, heap);
    }

    /** The cluster with one more member, on the next ports after the highest in use, that will join. */
    LocalCluster withNewMember() {
        int n = members.size() + 1;
        String id = "n" + n;
        if (members.stream().anyMatch(m -> m.id().equals(id))) throw new IllegalStateException(id + " exists already");
        List<Member> more = new ArrayList<>(members);
        more.add(new Member(id, nextPort(Member::raft), nextPort(Member::client), nextPort(Member::http), Start.JOIN));
        return new LocalCluster(cookie, more, store, heap);
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

    void save(Path dir) throws IOException {
        Files.createDirectories(dir);
        JSON.writeValue(dir.resolve(FILE).toFile(), this);
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
}
