package dev.raftkv.node;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Whose a data directory is: {@code identity.json} holds its format version, the node id that wrote it and
 * the id of its cluster, so that a directory started under another {@code --id}, or a node pointed at
 * another cluster's data, is refused with a message instead of running into "not the leader" forever.
 * Written atomically when the directory is new and when a joining node learns its cluster's id. Read on
 * any thread; the cluster id is set once.
 */
public final class DataDirIdentity {
    static final String FILE = "identity.json";
    static final int FORMAT = 1;
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

    /** The file's fields; {@code cluster} is null until the node knows its cluster (a node that joins). */
    record Stored(@JsonProperty("format") int format, @JsonProperty("node") String node,
                  @JsonProperty("cluster") String cluster) {
    }

    private final Path file;
    private final String nodeId;
    private volatile String clusterId;

    private DataDirIdentity(Path file, String nodeId, String clusterId) {
        this.file = file;
        this.nodeId = nodeId;
        this.clusterId = clusterId;
    }

    /** A data directory's identity could not be accepted: the message says why and what to do. */
    public static final class RefusedException extends IllegalArgumentException {
        RefusedException(String message) {
            super(message);
        }
    }

    /**
     * Reads the identity of {@code dir}, or writes a new one for {@code nodeId} if the directory holds
     * nothing yet.
     *
     * @throws RefusedException if the directory belongs to another node, was written in an unknown format,
     *                          or holds data without an identity
     */
    public static DataDirIdentity open(Path dir, String nodeId) throws IOException {
        Path file = dir.resolve(FILE);
        if (!Files.exists(file)) {
            if (holdsAnything(dir)) {
                throw new RefusedException("data directory " + dir + " holds data but no " + FILE + " (it was written by"
                        + " raftkv before data directories recorded their node and cluster): it cannot be told whose it is."
                        + " Move it away to start this node afresh");
            }
            DataDirIdentity created = new DataDirIdentity(file, nodeId, null);
            created.save();
            return created;
        }
        Stored s;
        try {
            s = JSON.readValue(Files.readAllBytes(file), Stored.class);
        } catch (IOException e) {
            throw new RefusedException(file + " cannot be read as a data directory identity: " + e.getMessage());
        }
        if (s == null || s.format() != FORMAT) {
            throw new RefusedException(file + " has format version " + (s == null ? "none" : s.format())
                    + "; this raftkv reads version " + FORMAT + " (was it written by a newer raftkv?)");
        }
        if (s.node() == null || !s.node().equals(nodeId)) {
            throw new RefusedException("data directory " + dir + " belongs to node " + s.node() + ", but this node was started"
                    + " as --id " + nodeId + ": start it as --id " + s.node() + ", or give " + nodeId + " a data directory"
                    + " of its own");
        }
        return new DataDirIdentity(file, nodeId, s.cluster());
    }

    private static boolean holdsAnything(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return false;
        try (Stream<Path> files = Files.list(dir)) {
            return files.findAny().isPresent();
        }
    }

    /** The cluster this directory belongs to; empty while a joining node has not learned it. */
    public String clusterId() {
        String c = clusterId;
        return c == null ? "" : c;
    }

    public boolean knowsCluster() {
        return clusterId != null;
    }

    /**
     * Records the cluster this directory belongs to, durably, before anyone is told.
     *
     * @throws RefusedException if it belongs to another cluster already
     */
    public synchronized void adopt(String cluster) throws IOException {
        if (cluster == null || cluster.isEmpty()) throw new IllegalArgumentException("a cluster id must not be empty");
        if (cluster.equals(clusterId)) return;
        if (clusterId != null) {
            throw new RefusedException("data directory of " + nodeId + " belongs to cluster " + clusterId + ", not " + cluster
                    + ": a node's data cannot move to another cluster");
        }
        String before = clusterId;
        clusterId = cluster;
        try {
            save();
        } catch (IOException e) {
            clusterId = before;
            throw e;
        }
    }

    private void save() throws IOException {
        AtomicFile.write(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(new Stored(FORMAT, nodeId, clusterId)),
                false);
    }
}
