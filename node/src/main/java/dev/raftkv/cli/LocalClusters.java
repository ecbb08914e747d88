package dev.raftkv.cli;

import dev.raftkv.client.ClientSecurity;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
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
        Path abs = dir.toAbsolutePath().normalize();
        try {
            Files.createDirectories(registry());
            Files.writeString(registry().resolve(key(abs)), abs.toString(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            // the cluster works without it; only 'put --cluster ADDR' from elsewhere cannot find its tokens
            System.err.println("raftkv: cannot record the cluster in " + registry() + ": " + e.getMessage());
        }
    }

    /** The security of the local cluster with a member at one of {@code httpAddresses}, if there is one. */
    static Optional<ClientSecurity> serving(List<String> httpAddresses, boolean admin) {
        Path here = Path.of("raftkv-cluster");
        if (serves(here, httpAddresses)) return Optional.of(securityOf(here, admin));
        try (Stream<Path> entries = Files.list(registry())) {
            for (Path entry : entries.toList()) {
                Path dir = Path.of(Files.readString(entry, StandardCharsets.UTF_8).trim());
                if (!LocalCluster.exists(dir)) {
                    Files.deleteIfExists(entry);
                } else if (serves(dir, httpAddresses)) {
                    return Optional.of(securityOf(dir, admin));
                }
            }
        } catch (IOException | RuntimeException e) {
            // no registry, or an entry that cannot be read: no local cluster is known
        }
        return Optional.empty();
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
