package dev.raftkv.node;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.raftkv.client.ClientSecurity;
import dev.raftkv.raft.ClusterConfig;
import dev.raftkv.raft.Role;
import dev.raftkv.raft.server.RaftServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Writes this node's client and HTTP addresses into the membership, so that no node needs --peer-http or
 * --peer-client to forward to a leader or to redirect a client to it. Only the node itself knows where it
 * serves (a node started with --peers knows its peers' Raft addresses and nothing else), so each publishes its
 * own, as etcd members publish their client URLs through the log when they start.
 *
 * <p>Once a second it compares what the log says of it with where it serves. A leader writes the difference
 * itself; a follower asks the leader over HTTP with the admin token, as {@code cluster add} would, once it
 * knows the leader's HTTP address (the leader publishes its own first, so that comes). The Raft address is
 * never changed this way: it is what the others dial, and moving it is a remove and an add.
 */
final class EndpointPublisher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EndpointPublisher.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration EVERY = Duration.ofSeconds(1);

    private final String selfId;
    private final MemberEndpoint self;
    private final RaftServer server;
    private final MembershipService membership;
    private final Directory directory;
    private final ClientSecurity toLeader;
    private final HttpClient http;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "endpoint-publisher");
        t.setDaemon(true);
        return t;
    });
    /** Touched by the timer thread only. */
    private String lastFailure;

    /** @param toLeader how to call the leader's HTTP port: its CA, and the admin token if tokens are on */
    EndpointPublisher(String selfId, MemberEndpoint self, RaftServer server, MembershipService membership,
                      Directory directory, ClientSecurity toLeader) {
        this.selfId = selfId;
        this.self = self;
        this.server = server;
        this.membership = membership;
        this.directory = directory;
        this.toLeader = toLeader;
        this.http = toLeader.httpClient();
    }

    void start() {
        timer.scheduleWithFixedDelay(this::checkOnce, 0, EVERY.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void checkOnce() {
        try {
            check().get(30, TimeUnit.SECONDS); // one at a time: the next check starts after this one ended
            lastFailure = null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            String why = KvService.unwrap(e).toString();
            if (!why.equals(lastFailure)) LOG.info("{} could not publish its addresses yet: {}; trying again", selfId, why);
            lastFailure = why;
        }
    }

    private CompletableFuture<Void> check() {
        return server.status().thenCompose(s -> {
            ClusterConfig members = s.members();
            if (!members.contains(selfId)) return done(); // a joiner's addresses travel with its join
            MemberEndpoint logged = MemberEndpoint.parseOrNull(members.endpoint(selfId));
            MemberEndpoint want = logged == null ? self : logged.servingAs(self); // the same rule the leader applies
            if (want.equals(logged)) return done();
            boolean voter = members.isVoter(selfId);
            if (s.role() == Role.LEADER) return membership.add(selfId, want, voter).thenRun(() -> published(want));
            String leaderHttp = s.leader() == null ? null : directory.httpOf(s.leader());
            if (leaderHttp == null) return done(); // the leader publishes its own first
            return askLeader(leaderHttp, want, voter);
        });
    }

    private CompletableFuture<Void> askLeader(String leaderHttp, MemberEndpoint want, boolean voter) {
        ObjectNode body = want.putInto(JSON.createObjectNode().put("id", selfId).put("voter", voter));
        HttpRequest req = toLeader.authorize(HttpRequest.newBuilder(toLeader.uri(leaderHttp, "/v1/members")))
                .timeout(Duration.ofSeconds(10))
                .header("content-type", "application/json")
                .header(HttpApi.FORWARDED, "1") // the leader answers; should it have just stepped down, we ask again
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                .build();
        return http.sendAsync(req, HttpResponse.BodyHandlers.ofString()).thenAccept(resp -> {
            if (resp.statusCode() != 200 && resp.statusCode() != 202) {
                throw new IllegalStateException("the leader at " + leaderHttp + " answered " + resp.statusCode() + " "
                        + resp.body());
            }
            published(want);
        });
    }

    private void published(MemberEndpoint e) {
        LOG.info("{} published its addresses through the log: client {}, http {}", selfId,
                Objects.requireNonNullElse(e.client(), "none"), e.http());
    }

    private static CompletableFuture<Void> done() {
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
