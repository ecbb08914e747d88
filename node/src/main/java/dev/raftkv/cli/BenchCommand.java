package dev.raftkv.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.raftkv.client.KvClient;
import dev.raftkv.kv.KvLimits;
import dev.raftkv.node.NodeConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code raftkv bench}: closed-loop load over the binary protocol. The members' client addresses are
 * discovered from {@code /v1/status} on the HTTP addresses, so the same --cluster works as for put/get.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Runs N closed-loop clients over the binary protocol and reports throughput and latency percentiles.")
final class BenchCommand extends ClientCommands.Target implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--clients", defaultValue = "64", description = "Concurrent closed-loop clients (default ${DEFAULT-VALUE}).")
    int clients;

    @Option(names = "--duration", defaultValue = "30s", description = "How long to run: 500ms, 30s, 2m (default ${DEFAULT-VALUE}).")
    String duration;

    @Option(names = "--value-size", defaultValue = "100", description = "Bytes per value (default ${DEFAULT-VALUE}).")
    int valueSize;

    @Option(names = "--workload", defaultValue = "put", description = "put, get, mixed (half each), load: write each of "
            + "--keys once (bench-0 ...) and stop when all are written, or at --duration; scan: one page of --scan-keys keys "
            + "from a random key; txn: a transfer between two random keys (compare both mod revisions, put both) "
            + "(default ${DEFAULT-VALUE}).")
    String workload;

    @Option(names = "--scan-keys", defaultValue = "100", description = "Keys per scan of the scan workload, 1 to 1000 (default ${DEFAULT-VALUE}).")
    int scanKeys;

    @Option(names = "--keys", defaultValue = "1000", description = "Size of the key space (default ${DEFAULT-VALUE}).")
    int keys;

    @Option(names = "--report-every", defaultValue = "5s", description = "Progress interval (default ${DEFAULT-VALUE}).")
    String reportEvery;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        // with --json, stdout carries only the result line
        PrintWriter progress = json ? spec.commandLine().getErr() : out;
        ClosedLoopBench.Workload w = ClosedLoopBench.Workload.valueOf(workload.toUpperCase(Locale.ROOT));
        if (scanKeys < 1 || scanKeys > KvLimits.MAX_PAGE_KEYS) {
            // the node would refuse every scan as a bad request
            throw new CommandLine.ParameterException(spec.commandLine(), "--scan-keys must be 1 to " + KvLimits.MAX_PAGE_KEYS);
        }
        long durationNanos = parseDuration(duration).toNanos();
        HttpCluster cluster = connect();
        List<InetSocketAddress> members = discoverClientAddresses(cluster);
        dev.raftkv.client.ClientSecurity security = security();
        progress.printf("bench: %d clients, %s workload%s, %d-byte values, %d keys, %s, members %s%s%n",
                clients, workload, w == ClosedLoopBench.Workload.SCAN ? " (" + scanKeys + " keys a scan)" : "", valueSize, keys,
                duration, members, security.tls() ? ", TLS" : "");
        progress.flush();
        try (KvClient client = new KvClient(members, KvClient.Options.DEFAULT, security)) {
            ClosedLoopBench bench = new ClosedLoopBench(client, w, keys, valueSize, scanKeys);
            if (w.needsPreload()) bench.preload();
            ClosedLoopBench.Interval total = bench.run(clients, durationNanos, parseDuration(reportEvery).toNanos(), i -> {
                progress.printf(Locale.ROOT, "  %8.0f ops/s  p50 %7.2f ms  p99 %7.2f ms  errors %d%n",
                        i.throughput(), i.percentileMillis(50), i.percentileMillis(99), i.errors());
                progress.flush();
            });
            Map<String, String> heaps = peakHeaps(cluster);
            if (json) {
                ObjectNode result = resultJson(w, total);
                if (w == ClosedLoopBench.Workload.TXN) result.put("conflicts", bench.conflicts());
                heaps.forEach(result.putObject("peakHeap")::put);
                out.println(JSON.writeValueAsString(result));
            } else {
                out.printf(Locale.ROOT, "ops %d in %.1f s: %.0f ops/s; latency p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms; errors %d%n",
                        total.ops(), total.seconds(), total.throughput(), total.percentileMillis(50), total.percentileMillis(99),
                        total.percentileMillis(99.9), total.latencyMicros().getMaxValue() / 1000.0, total.errors());
                if (w == ClosedLoopBench.Workload.TXN) {
                    out.printf("transfers that found a key changed (the failure branch ran): %d%n", bench.conflicts());
                }
                heaps.forEach((id, heap) -> out.printf("heap of %s: %s%n", id, heap));
            }
            if (total.errors() > 0) progress.println("last error: " + bench.lastError());
            out.flush();
            progress.flush();
            return total.ops() > 0 ? 0 : 2;
        }
    }

    private ObjectNode resultJson(ClosedLoopBench.Workload w, ClosedLoopBench.Interval total) {
        ObjectNode r = JSON.createObjectNode();
        r.put("workload", w.name().toLowerCase(Locale.ROOT)).put("clients", clients).put("valueSize", valueSize)
                .put("seconds", total.seconds()).put("ops", total.ops()).put("errors", total.errors())
                .put("throughput", total.throughput())
                .put("p50Ms", total.percentileMillis(50)).put("p99Ms", total.percentileMillis(99))
                .put("p999Ms", total.percentileMillis(99.9))
                .put("maxMs", total.latencyMicros().getTotalCount() == 0 ? 0 : total.latencyMicros().getMaxValue() / 1000.0);
        return r;
    }

    /**
     * Each member's peak heap as its /v1/status reports it ("peak 212 MiB of max 512 MiB"), or why it is not
     * known, in member order: the benchmark of #10.4 shows memory staying bounded under large values.
     */
    static Map<String, String> peakHeaps(HttpCluster cluster) {
        Map<String, String> out = new LinkedHashMap<>();
        try {
            HttpResponse<byte[]> r = cluster.send("GET", "/v1/status", null);
            for (JsonNode m : JSON.readTree(r.body()).path("members")) {
                String id = m.path("id").asText();
                if (!m.hasNonNull("http")) {
                    out.put(id, "unknown (no HTTP address)");
                    continue;
                }
                try {
                    JsonNode heap = JSON.readTree(cluster.sendTo(m.get("http").asText(), "GET", "/v1/status", null).body()).path("heap");
                    out.put(id, heap.isMissingNode() ? "unknown (the node does not report it)"
                            : "at most " + heap.path("peakAfterGcBytes").asLong() / MIB + " MiB in use after a collection, pools' peaks "
                            + heap.path("peakUsedBytes").asLong() / MIB + " MiB, of max " + heap.path("maxBytes").asLong() / MIB + " MiB");
                } catch (IOException e) {
                    out.put(id, "unknown (unreachable: " + e.getMessage() + ")");
                }
            }
        } catch (IOException e) {
            out.put("cluster", "unknown (unreachable: " + e.getMessage() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return out;
    }

    private static final long MIB = 1024 * 1024;

    /** Every member's client address, from the status page of the first member that answers. */
    static List<InetSocketAddress> discoverClientAddresses(HttpCluster cluster) throws Exception {
        HttpResponse<byte[]> r = cluster.send("GET", "/v1/status", null);
        if (r.statusCode() != 200) throw new IllegalStateException("/v1/status answered HTTP " + r.statusCode());
        List<InetSocketAddress> out = new ArrayList<>();
        for (JsonNode m : JSON.readTree(r.body()).path("members")) {
            if (m.hasNonNull("client")) out.add(NodeConfig.parseAddress(m.get("client").asText()));
        }
        if (out.isEmpty()) {
            throw new IllegalStateException("no member lists a client address: start the nodes with --client and --peer-client");
        }
        return out;
    }

    static Duration parseDuration(String s) {
        String t = s.trim().toLowerCase(Locale.ROOT);
        try {
            if (t.endsWith("ms")) return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
            if (t.endsWith("s")) return Duration.ofMillis((long) (Double.parseDouble(t.substring(0, t.length() - 1)) * 1000));
            if (t.endsWith("m")) return Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1)) * 60);
            return Duration.ofSeconds(Long.parseLong(t));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("a duration is like 500ms, 30s or 2m, not '" + s + "'");
        }
    }
}
