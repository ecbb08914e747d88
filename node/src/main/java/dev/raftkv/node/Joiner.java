package dev.raftkv.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.raftkv.client.ClientSecurity;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Asks a running cluster to take this node in ({@code --join}): {@code GET /v1/members} to learn the
 * cluster's id (recorded in the data directory before this node talks to anyone) and the members' addresses,
 * then {@code POST /v1/members} with the admin token to the given members in turn (any member forwards to
 * the leader) until the answer says this node votes. The leader first checks, with a handshake, that this
 * node knows the cookie, adds it as a learner and promotes it once it caught up; until then the answer is
 * 202 and we ask again. Asking again is harmless: the same id at the same address is a no-op.
 */
final class Joiner {
    private static final Logger LOG = LoggerFactory.getLogger(Joiner.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long RETRY_MILLIS = 500;

    private final String id;
    private final MemberEndpoint self;
    private final List<String> members;
    private final ClientSecurity security;
    private final HttpClient http;
    /** Told the members' addresses before each request, so that this node can answer the leader before the log names it. */
    private final Consumer<Map<String, MemberEndpoint>> heardOf;
    /** Records the cluster's id; refuses (DataDirIdentity.RefusedException) if this node belongs to another. */
    private final ClusterAdopter adoptCluster;
    private final CompletableFuture<Void> joined = new CompletableFuture<>();
    private volatile boolean stopped;
    private boolean saidLearner;

    /** Where the cluster id a member names is recorded. */
    interface ClusterAdopter {
        void adopt(String clusterId) throws IOException;
    }

    Joiner(String id, MemberEndpoint self, List<String> members, Consumer<Map<String, MemberEndpoint>> heardOf,
           ClusterAdopter adoptCluster, ClientSecurity security) {
        this.id = id;
        this.self = self;
        this.members = List.copyOf(members);
        this.heardOf = heardOf;
        this.adoptCluster = adoptCluster;
        this.security = security;
        this.http = security.httpClient();
    }

    /** Completes once this node is a voter. */
    CompletableFuture<Void> start() {
        attempt(0);
        return joined;
    }

    void stop() {
        stopped = true;
    }

    private void attempt(int n) {
        if (stopped || joined.isDone()) return;
        String target = members.get(n % members.size());
        HttpRequest list = security.authorize(HttpRequest.newBuilder(security.uri(target, "/v1/members")))
                .timeout(Duration.ofSeconds(10)).GET().build();
        http.sendAsync(list, HttpResponse.BodyHandlers.ofString()).whenComplete((resp, error) -> {
            if (error == null && resp.statusCode() == 200 && !heard(resp.body())) return;
            if (error == null && (resp.statusCode() == 401 || resp.statusCode() == 403)) {
                gaveUp(target, resp.statusCode(), resp.body() + " (a joining node asks with the admin token:"
                        + " RAFTKV_ADMIN_TOKEN or --admin-token)");
                return;
            }
            ask(n, target);
        });
    }

    /** Takes in what a member list says: the cluster's id first, then the addresses. False if this node may not join. */
    private boolean heard(String membersJson) {
        JsonNode view;
        try {
            view = JSON.readTree(membersJson);
        } catch (Exception e) {
            LOG.debug("unreadable member list: {}", e.toString());
            return true;
        }
        String cluster = view.path("cluster").asText("");
        if (!cluster.isEmpty()) {
            try {
                adoptCluster.adopt(cluster);
            } catch (IOException | RuntimeException e) {
                LOG.error("{} cannot join: {}", id, e.getMessage());
                joined.completeExceptionally(e);
                return false;
            }
        }
        Map<String, MemberEndpoint> out = new HashMap<>();
        for (JsonNode m : view.path("members")) {
            try {
                if (m.hasNonNull("raft")) out.put(m.get("id").asText(), MemberEndpoint.fromJson(m));
            } catch (IllegalArgumentException e) {
                LOG.debug("unreadable member in the list: {}", e.toString());
            }
        }
        heardOf.accept(out);
        return true;
    }

    private void gaveUp(String target, int status, String body) {
        // asking again will not help: say why, loudly, and stop
        LOG.error("{} cannot join: {} answered {} {}", id, target, status, body);
        joined.completeExceptionally(new IllegalStateException(body));
    }

    private void ask(int n, String target) {
        ObjectNode body = self.putInto(JSON.createObjectNode().put("id", id).put("voter", true));
        HttpRequest req = security.authorize(HttpRequest.newBuilder(security.uri(target, "/v1/members")))
                .timeout(Duration.ofSeconds(30))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                .build();
        http.sendAsync(req, HttpResponse.BodyHandlers.ofString()).whenComplete((resp, error) -> {
            if (error != null) {
                LOG.info("{}: cannot reach {} to join ({}); trying again", id, target, error.toString());
            } else if (resp.statusCode() == 200 && voter(resp.body())) {
                LOG.info("{} joined the cluster as a voter (via {})", id, target);
                joined.complete(null);
                return;
            } else if (resp.statusCode() == 200 || resp.statusCode() == 202) {
                if (!saidLearner) LOG.info("{} joined as a learner; catching up before it is promoted", id);
                saidLearner = true;
            } else if (resp.statusCode() == 409 || resp.statusCode() == 400 || resp.statusCode() == 401
                    || resp.statusCode() == 403) {
                gaveUp(target, resp.statusCode(), resp.body());
                return;
            } else {
                LOG.info("{}: {} answered {} to the join ({}); trying again", id, target, resp.statusCode(), resp.body());
            }
            CompletableFuture.delayedExecutor(RETRY_MILLIS, TimeUnit.MILLISECONDS).execute(() -> attempt(n + 1));
        });
    }

    private static boolean voter(String body) {
        try {
            JsonNode n = JSON.readTree(body);
            return n != null && n.path("voter").asBoolean(false);
        } catch (Exception e) {
            return false;
        }
    }
}
