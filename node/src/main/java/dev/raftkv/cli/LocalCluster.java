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
public record LocalCluster(String cookie, List<Member> members) {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    static final String FILE = "cluster.json";

    public record Member(String id, String raft, String client, String http) {
    }

    static LocalCluster create(int nodes, int raftBase, int clientBase, int httpBase) {
        byte[] secret = new byte[16];
        new SecureRandom().nextBytes(secret);
        List<Member> members = new ArrayList<>();
        for (int i = 1; i <= nodes; i++) {
            members.add(new Member("n" + i, "127.0.0.1:" + (raftBase + i - 1), "127.0.0.1:" + (clientBase + i - 1),
                    "127.0.0.1:" + (httpBase + i - 1)));
        }
        return new LocalCluster(HexFormat.of().formatHex(secret), members);
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

    String peersFlag() {
        return String.join(",", members.stream().map(m -> m.id() + "=" + m.raft()).toList());
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
