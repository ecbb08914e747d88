package dev.raftkv.node;

import dev.raftkv.raft.Role;
import dev.raftkv.raft.server.RaftCounters;
import dev.raftkv.raft.server.RaftServer;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmGarbageCollectorMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmMemoryMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.ToLongFunction;
import java.util.function.ToDoubleFunction;

/**
 * One node's Prometheus registry, written out by {@code GET /metrics} (README, "Metrics and health"). A registry
 * per node, not the library's default one, so that several nodes in one JVM (the tests) each show their own.
 *
 * <p>Nothing here posts to the Raft event loop or waits for it: the Raft gauges read the {@link RaftServer#published}
 * status and the lock-free {@link RaftCounters}, so a scrape neither blocks the loop nor is blocked by it.
 */
public final class NodeMetrics {
    /** Seconds, from a local read (well under a millisecond) to a request timeout (five seconds by default). */
    private static final double[] LATENCY_BOUNDS = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final RaftServer server;
    private final Histogram httpRequests;
    private final Histogram binaryRequests;
    private final Histogram logBatchEntries;
    private final Histogram fsyncSeconds;

    /**
     * @param budget  what clients hold of the node (both ports)
     * @param dropped messages dropped on the way to a peer so far, or null if the transport does not count them
     */
    NodeMetrics(RaftServer server, InFlightBudget budget, ToLongFunction<String> dropped) {
        this.server = server;
        GaugeWithCallback.builder().name("raftkv_raft_role").help("1 for the role this node has now, 0 for the others")
                .labelNames("role").callback(this::role).register(registry);
        statusGauge("raftkv_raft_term", "the current term", RaftServer.Status::term);
        statusGauge("raftkv_raft_commit_index", "the highest log index known to be committed", RaftServer.Status::commitIndex);
        statusGauge("raftkv_raft_applied_index", "the highest log index handed to the state machine", RaftServer.Status::appliedIndex);
        statusGauge("raftkv_raft_leader_known", "1 if this node knows a leader (itself included), else 0",
                s -> s.leader() == null ? 0 : 1);
        GaugeWithCallback.builder().name("raftkv_raft_peer_match_index")
                .help("on the leader, the highest index each other member is known to hold").labelNames("peer")
                .callback(cb -> eachPeer((peer, match, s) -> cb.call(match, peer))).register(registry);
        GaugeWithCallback.builder().name("raftkv_raft_peer_lag_entries")
                .help("on the leader, how many committed entries each other member lacks (commit index minus its match)")
                .labelNames("peer")
                .callback(cb -> eachPeer((peer, match, s) -> cb.call(Math.max(0, s.commitIndex() - match), peer)))
                .register(registry);
        RaftCounters c = server.counters();
        counter("raftkv_raft_elections_started_total", "campaigns this node began (times it became a candidate)", c::electionsStarted);
        counter("raftkv_raft_leader_changes_total", "times the leader this node knows changed", c::leaderChanges);
        counter("raftkv_raft_proposals_total", "proposals handed to Raft, accepted or not", c::proposals);
        counter("raftkv_raft_append_entries_sent_total", "AppendEntries messages sent", c::appendEntriesSent);
        counter("raftkv_raft_append_entries_received_total", "AppendEntries messages received", c::appendEntriesReceived);
        counter("raftkv_raft_append_entries_rejected_total", "AppendEntries this node refused", c::appendEntriesRejected);
        counter("raftkv_snapshots_taken_total", "snapshots this node took of its state machine", c::snapshotsTaken);
        counter("raftkv_snapshots_installed_total", "snapshots this node installed from a leader", c::snapshotsInstalled);
        CounterWithCallback.builder().name("raftkv_snapshot_duration_seconds")
                .help("time spent writing the snapshots this node took, all together (divide by the count for a mean)")
                .callback(cb -> cb.call(c.snapshotNanos() / 1e9)).register(registry);
        GaugeWithCallback.builder().name("raftkv_snapshot_size_bytes").help("the size of the latest snapshot this node took")
                .callback(cb -> cb.call(c.lastSnapshotBytes())).register(registry);
        if (dropped != null) {
            CounterWithCallback.builder().name("raftkv_transport_messages_dropped_total")
                    .help("Raft messages and snapshots dropped on the way to a peer (not connected, backed up)")
                    .labelNames("peer").callback(cb -> eachMember(peer -> cb.call(dropped.applyAsLong(peer), peer)))
                    .register(registry);
        }
        GaugeWithCallback.builder().name("raftkv_requests_in_flight")
                .help("client requests (HTTP and binary) admitted and not yet answered")
                .callback(cb -> cb.call(budget.requestsInUse())).register(registry);
        GaugeWithCallback.builder().name("raftkv_requests_in_flight_bytes")
                .help("bytes of requests and answers the node holds for its clients")
                .callback(cb -> cb.call(budget.bytesInUse())).register(registry);
        CounterWithCallback.builder().name("raftkv_requests_refused_total")
                .help("client requests refused because the in-flight budget was spent")
                .callback(cb -> cb.call(budget.refused())).register(registry);
        this.httpRequests = Histogram.builder().name("raftkv_http_request_duration_seconds")
                .help("HTTP requests, from the whole request read to the answer, by operation, consistency and outcome")
                .labelNames("operation", "consistency", "outcome").classicOnly()
                .classicUpperBounds(LATENCY_BOUNDS)
                .register(registry);
        this.binaryRequests = Histogram.builder().name("raftkv_client_request_duration_seconds")
                .help("binary-protocol requests, from decoded to answered, by operation, consistency and outcome")
                .labelNames("operation", "consistency", "outcome").classicOnly()
                .classicUpperBounds(LATENCY_BOUNDS).register(registry);
        this.logBatchEntries = Histogram.builder().name("raftkv_log_batch_entries")
                .help("log entries made durable by one group commit of the log writer").classicOnly()
                .classicUpperBounds(0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024).register(registry);
        this.fsyncSeconds = Histogram.builder().name("raftkv_log_fsync_duration_seconds")
                .help("how long one group commit's fsync took (the log, and the hard state when it changed)").classicOnly()
                .classicUpperBounds(0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1)
                .register(registry);
        JvmMemoryMetrics.builder().register(registry);
        JvmGarbageCollectorMetrics.builder().register(registry);
    }

    /** Records each group commit of the log writer; it runs on that thread, and a histogram observes without a lock. */
    dev.raftkv.raft.log.FlushObserver logFlushes() {
        return (writes, entries, syncNanos) -> {
            logBatchEntries.observe(entries);
            fsyncSeconds.observe(syncNanos / 1e9);
        };
    }

    /** One HTTP request answered: every label is from a fixed set (see {@link HttpOperation}), so the series stay few. */
    void httpRequest(HttpOperation op, String consistency, int status, long nanos) {
        httpRequests.labelValues(op.label(), consistency, outcome(status)).observe(nanos / 1e9);
    }

    /** What came of a request, by its status: the outcomes a client must tell apart (README, "HTTP API"). */
    static String outcome(int status) {
        if (status < 400) return "ok";
        if (status == 404) return "not_found";
        if (status == 503) return "not_applied";
        if (status == 504) return "outcome_unknown";
        return status < 500 ? "refused" : "error";
    }

    /**
     * One request of the binary protocol answered (those refused before they are served, for the budget or a
     * token, are not). The consistency label is the read's, "none" for a write; the outcome is the status.
     */
    void binaryRequest(dev.raftkv.client.ClientRequest r, dev.raftkv.client.ClientProtocol.Status status, long nanos) {
        String consistency = r.op().isWrite() || r.consistency() == null ? "none" : lower(r.consistency().name());
        binaryRequests.labelValues(lower(r.op().name()), consistency, lower(status.name())).observe(nanos / 1e9);
    }

    private static String lower(String name) {
        return name.toLowerCase(java.util.Locale.ROOT);
    }

    /** The registry in the Prometheus text format (version 0.0.4). */
    byte[] text() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            PrometheusTextFormatWriter.create().write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not throw
        }
        return out.toByteArray();
    }

    static String contentType() {
        return PrometheusTextFormatWriter.CONTENT_TYPE;
    }

    private void role(GaugeWithCallback.Callback cb) {
        RaftServer.Status s = server.published();
        if (s == null) return; // not serving: no role to show, rather than a false one
        for (Role r : Role.values()) cb.call(r == s.role() ? 1 : 0, r.name().toLowerCase(java.util.Locale.ROOT));
    }

    private void statusGauge(String name, String help, ToDoubleFunction<RaftServer.Status> value) {
        GaugeWithCallback.builder().name(name).help(help).callback(cb -> {
            RaftServer.Status s = server.published();
            if (s != null) cb.call(value.applyAsDouble(s));
        }).register(registry);
    }

    private void counter(String name, String help, java.util.function.LongSupplier value) {
        // the name ends in _total as the convention asks; the library wants it without and adds it back
        CounterWithCallback.builder().name(name.substring(0, name.length() - "_total".length())).help(help)
                .callback(cb -> cb.call(value.getAsLong())).register(registry);
    }

    private interface PeerValue {
        void accept(String peer, long match, RaftServer.Status status);
    }

    /** Every other member, voter or learner, on any node (not only the leader sends). */
    private void eachMember(Consumer<String> each) {
        RaftServer.Status s = server.published();
        if (s == null) return;
        for (String m : s.members().members()) if (!m.equals(s.id())) each.accept(m);
    }

    private void eachPeer(PeerValue each) {
        RaftServer.Status s = server.published();
        if (s == null) return;
        for (Map.Entry<String, Long> e : s.matchIndex().entrySet()) each.accept(e.getKey(), e.getValue(), s);
    }
}
