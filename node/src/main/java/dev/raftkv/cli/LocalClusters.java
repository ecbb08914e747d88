package dev.raftkv.cli;

import dev.raftkv.client.ClientSecurity;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Where the CLI finds the tokens and CA of a local cluster it is asked to talk to. {@code cluster up} leaves
 * one small file per cluster directory in {@code ~/.raftkv/clusters/} (or {@code $RAFTKV_HOME/clusters/})
 * holding that directory's path, nothing secret; {@code put --cluster 127.0.0.1:8003} then reads the
 * cluster.json of the local cluster that has a member at that address. Entries of directories that are
 * gone are removed as they are found.
 */
final class LocalClusters {
    private LocalClusters() {
    }

    static Path registry() {
        String home = System.getenv("RAFTKV_HOME");
        return (home != null && !home.isEmpty() ? Path.of(home) : Path.of(System.getProperty("user.home"), ".raftkv"))
                .resolve("clusters");
    }

    static void register(Path dir) {
        register(registry(), dir);
    }

    static void register(Path registry, Path dir) {
        Path abs = dir.toAbsolutePath().normalize();
        try {
            Files.createDirectories(registry);
            Files.writeString(registry.resolve(key(abs)), abs.toString(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            // the cluster works without it; only 'put --cluster ADDR' from elsewhere cannot find its tokens
            System.err.println("raftkv: cannot record the cluster in " + registry + ": " + e.getMessage());
        }
    }

    /**
     * The security of the local cluster with a member at one of {@code httpAddresses}, if there is one. Several
     * cluster directories may have used the same ports one after another (a cluster that is down keeps its
     * directory): the one with a node running wins, else the one in the working directory, else any.
     */
    static Optional<ClientSecurity> serving(List<String> httpAddresses, boolean admin) {
        return serving(registry(), Path.of("raftkv-cluster"), httpAddresses, admin);
    }

    static Optional<ClientSecurity> serving(Path registry, Path here, List<String> httpAddresses, boolean admin) {
        List<Path> candidates = new ArrayList<>();
        if (serves(here, httpAddresses)) candidates.add(here);
        try (Stream<Path> entries = Files.list(registry)) {
            for (Path entry : entries.toList()) {
                Path dir = Path.of(Files.readString(entry, StandardCharsets.UTF_8).trim());
                if (!LocalCluster.exists(dir)) {
                    Files.deleteIfExists(entry);
                } else if (serves(dir, httpAddresses)) {
                    candidates.add(dir);
                }
            }
        } catch (IOException | RuntimeException e) {
            // no registry, or an entry that cannot be read: only the working directory's cluster is known
        }
        return candidates.stream().filter(LocalClusters::hasRunningNode).findFirst()
                .or(() -> candidates.stream().findFirst())
                .map(dir -> securityOf(dir, admin));
    }

    /** Whether a node that {@code cluster up} started in {@code dir} still runs (its pid file names a live process). */
    static boolean hasRunningNode(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".pid")).anyMatch(LocalClusters::isAlive);
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean isAlive(Path pidFile) {
        try {
            long pid = Long.parseLong(Files.readString(pidFile, StandardCharsets.UTF_8).trim());
            return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        } catch (IOException | NumberFormatException e) {
            return false;
        }
    }

    private static boolean serves(Path dir, List<String> httpAddresses) {
        if (!LocalCluster.exists(dir)) return false;
        try {
            return LocalCluster.load(dir).httpAddresses().stream().anyMatch(httpAddresses::contains);
        } catch (IOException e) {
            return false;
        }
    }

    private static ClientSecurity securityOf(Path dir, boolean admin) {
        try {
            return LocalCluster.load(dir).clientSecurity(dir, admin);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + dir.resolve(LocalCluster.FILE) + ": " + e.getMessage(), e);
        }
    }

    private static String key(Path dir) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(dir.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(h, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
