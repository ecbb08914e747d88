package dev.raftkv.cli;

import dev.raftkv.client.ClientSecurity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class LocalClustersTest {
    @TempDir
    Path tmp;

    /** Found with a TLS cluster that is down on the same ports, a running plain one must still get its own token and no CA. */
    @Test
    void theClusterWithARunningNodeWinsOverOneThatIsDownOnTheSamePorts() throws Exception {
        Path registry = tmp.resolve("registry");
        Path down = tmp.resolve("tls-down");
        Path running = tmp.resolve("plain-running");
        LocalCluster tls = LocalCluster.create(3, 27101, 29101, 28101, false, true, "memory", null);
        LocalCluster plain = LocalCluster.create(3, 27101, 29101, 28101, false, false, "memory", null);
        Files.createDirectories(down);
        Files.createDirectories(running);
        // the running cluster is registered first, so a lookup that took the first match or the last one
        // written could not pass both this test and its mirror below
        plain.save(running, registry);
        tls.save(down, registry);
        Files.writeString(running.resolve("n1.pid"), Long.toString(ProcessHandle.current().pid()));
        Files.writeString(down.resolve("n1.pid"), "999999999"); // a process that is gone

        ClientSecurity found = LocalClusters.serving(registry, tmp.resolve("nowhere"), List.of("127.0.0.1:28101"), false)
                .orElseThrow();

        assertThat(found.ca()).isNull();
        assertThat(found.token()).isEqualTo(plain.clientToken());

        Files.delete(running.resolve("n1.pid"));
        Files.writeString(down.resolve("n1.pid"), Long.toString(ProcessHandle.current().pid()));
        ClientSecurity other = LocalClusters.serving(registry, tmp.resolve("nowhere"), List.of("127.0.0.1:28101"), false)
                .orElseThrow();
        assertThat(other.token()).isEqualTo(tls.clientToken());
        assertThat(other.ca()).isNotNull();
    }

    @Test
    void noClusterAtTheAddressIsNone() throws Exception {
        Path registry = tmp.resolve("registry");
        Path dir = tmp.resolve("c");
        Files.createDirectories(dir);
        LocalCluster.create(3, 27101, 29101, 28101, false, false, "memory", null).save(dir, registry);
        assertThat(LocalClusters.serving(registry, tmp.resolve("nowhere"), List.of("127.0.0.1:8001"), false)).isEmpty();
    }
}
