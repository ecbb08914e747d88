package dev.raftkv.node;

import dev.raftkv.raft.ClusterConfig;
import dev.raftkv.raft.ConfigChange;
import dev.raftkv.raft.Role;
import dev.raftkv.raft.UnknownMemberException;
import dev.raftkv.raft.server.LearnerBehindException;
import dev.raftkv.raft.server.NotAppliedException;
import dev.raftkv.raft.server.OutcomeUnknownException;
import dev.raftkv.raft.server.RaftServer;
import dev.raftkv.transport.HandshakeFailedException;
import dev.raftkv.transport.PeerUnreachableException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Membership requests on one node: list, add (as a learner, then promoted once caught up), remove, and
 * leadership transfer. A change the leader cannot make yet (another change in flight, a learner still
 * catching up, a new leader's first entry not yet committed) is retried here until the request timeout;
 * a change asked of a follower fails with {@link NotAppliedException} naming the leader, for the HTTP
 * layer to forward.
 */
public final class MembershipService {
    /** A learner is promoted once its log is within this many entries of the leader's. */
    static final long PROMOTE_WITHIN_ENTRIES = 64;
    private static final Duration RETRY_EVERY = Duration.ofMillis(50);
    private static final Duration ASK_AGAIN_AFTER = Duration.ofSeconds(1);

    /** {@code matchIndex}: how much of the log the leader knows this member holds; null if not known here. */
    /** {@code repairing}: the member lost committed entries and does not vote or count until the leader repairs it. */
    public record Member(String id, MemberEndpoint endpoint, boolean voter, Long matchIndex, boolean repairing) {
    }

    public record View(String self, Role role, String leader, long term, long commitIndex, List<Member> members) {
    }

    /** {@code voter} false after asking for a voter means the learner is still catching up (promotion is retried by asking again). */
    public record Added(String id, boolean voter, long index) {
    }

    /**
     * Checks that the node at {@code raftAddress} is {@code id} and knows the cluster cookie (a handshake);
     * fails with {@link HandshakeFailedException} or {@link PeerUnreachableException}.
     */
    public interface Prover {
        CompletableFuture<Void> prove(String id, String raftAddress);
    }

    private final RaftServer server;
    private final Directory directory;
    private final Duration timeout;
    private final Prover prover;

    MembershipService(RaftServer server, Directory directory, Duration timeout, Prover prover) {
        this.server = server;
        this.directory = directory;
        this.timeout = timeout;
        this.prover = prover;
    }

    public CompletableFuture<View> view() {
        return server.status().thenApply(s -> {
            List<Member> out = new ArrayList<>();
            for (String id : s.members().members()) {
                Long match = s.role() == Role.LEADER
                        ? (id.equals(s.id()) ? Long.valueOf(s.commitIndex()) : s.matchIndex().get(id)) : null;
                out.add(new Member(id, directory.of(id), s.members().isVoter(id), match,
                        s.repairingPeers().contains(id) || (id.equals(s.id()) && s.repairing())));
            }
            return new View(s.id(), s.role(), s.leader(), s.term(), s.commitIndex(), out);
        });
    }

    /**
     * Makes {@code id} a member at {@code endpoint}: a learner first; with {@code voter}, promoted once
     * caught up. Asking again for what already holds (same id, same address) changes nothing; asking again
     * with other client or HTTP addresses (same Raft address) writes them into the membership, which is how
     * each node publishes its own ({@link EndpointPublisher}).
     */
    public CompletableFuture<Added> add(String id, MemberEndpoint endpoint, boolean voter) {
        checkId(id);
        long deadline = System.nanoTime() + timeout.toNanos();
        return server.status().thenCompose(s -> {
            ClusterConfig c = s.members();
            if (c.contains(id)) {
                MemberEndpoint known = directory.of(id);
                if (known != null && !known.raft().equals(endpoint.raft())) {
                    throw new RequestException(409, "conflict", id + " is already a member at raft address "
                            + known.raft() + "; remove it first to move it");
                }
                MemberEndpoint updated = updatedEndpoint(c, id, endpoint);
                CompletableFuture<Long> published = updated == null ? CompletableFuture.completedFuture(0L)
                        : s.role() != Role.LEADER ? CompletableFuture.failedFuture(new NotAppliedException("not the leader", s.leader()))
                        : change(new ConfigChange.SetEndpoint(id, updated.format()), deadline);
                return published.thenCompose(index -> !voter || c.isVoter(id)
                        ? CompletableFuture.completedFuture(new Added(id, c.isVoter(id), index))
                        : promote(id, deadline));
            }
            // only the leader takes a member in, and only one that proved it knows the cookie
            if (s.role() != Role.LEADER) throw new NotAppliedException("not the leader", s.leader());
            return proven(id, endpoint).thenCompose(ok -> change(new ConfigChange.AddLearner(id, endpoint.format()), deadline))
                    .thenCompose(index -> voter ? promote(id, deadline) : CompletableFuture.completedFuture(new Added(id, false, index)));
        });
    }

    /**
     * The endpoint the log should hold for member {@code id} once the client and HTTP addresses {@code asked}
     * gives replace those it holds (an address not given stays), or null if that changes nothing.
     */
    private static MemberEndpoint updatedEndpoint(ClusterConfig c, String id, MemberEndpoint asked) {
        MemberEndpoint logged = MemberEndpoint.parseOrNull(c.endpoint(id));
        if (logged == null) return asked;
        MemberEndpoint next = logged.servingAs(asked);
        return next.equals(logged) ? null : next;
    }

    /** Completes once the node at the endpoint proved it is {@code id} and knows the cookie. */
    private CompletableFuture<Void> proven(String id, MemberEndpoint endpoint) {
        return prover.prove(id, endpoint.raft()).exceptionallyCompose(e -> {
            Throwable t = KvService.unwrap(e);
            if (t instanceof HandshakeFailedException) {
                return CompletableFuture.failedFuture(new RequestException(403, "not_proven", id + " at " + endpoint.raft()
                        + " did not prove that it belongs to this cluster, so it is not added: " + t.getMessage()));
            }
            return CompletableFuture.failedFuture(new NotAppliedException("cannot reach " + id + " at " + endpoint.raft()
                    + " to check that it knows the cluster cookie (is it running?): " + t.getMessage(), null));
        });
    }

    private CompletableFuture<Added> promote(String id, long deadline) {
        return change(new ConfigChange.Promote(id, PROMOTE_WITHIN_ENTRIES), deadline)
                .thenApply(index -> new Added(id, true, index))
                .exceptionallyCompose(e -> {
                    Throwable t = KvService.unwrap(e);
                    if (t instanceof LearnerBehindException) {
                        return CompletableFuture.completedFuture(new Added(id, false, 0));
                    }
                    return CompletableFuture.failedFuture(t);
                });
    }

    public CompletableFuture<Long> remove(String id) {
        checkId(id);
        return change(new ConfigChange.Remove(id), System.nanoTime() + timeout.toNanos());
    }

    /** Completes once {@code to} leads (as this node sees it), or fails when the request timeout passes. */
    public CompletableFuture<String> transfer(String to) {
        checkId(to);
        long deadline = System.nanoTime() + timeout.toNanos();
        return server.status().thenCompose(s -> {
            if (!s.members().contains(to)) throw new RequestException(404, "not_found", "unknown member '" + to + "'");
            if (!s.members().isVoter(to)) throw new RequestException(409, "conflict", to + " is a learner, not a voter");
            if (s.role() != Role.LEADER) {
                throw new NotAppliedException("not the leader", s.leader());
            }
            if (to.equals(s.id())) return CompletableFuture.completedFuture(to);
            return server.transferLeadership(to).thenCompose(started -> awaitLeader(to, deadline, System.nanoTime()));
        });
    }

    /**
     * Polls until {@code to} leads. The target campaigns once per TimeoutNow, and a lost vote request
     * fails that campaign; if we still lead a while later, we ask again.
     */
    private CompletableFuture<String> awaitLeader(String to, long deadline, long askedAt) {
        return server.status().thenCompose(s -> {
            if (to.equals(s.leader())) return CompletableFuture.completedFuture(to);
            if (System.nanoTime() > deadline) {
                throw new OutcomeUnknownException("the transfer to " + to + " started but " + to
                        + " did not take over within " + timeout.toMillis() + " ms (leader now: " + s.leader() + ")");
            }
            if (s.role() == Role.LEADER && System.nanoTime() - askedAt > ASK_AGAIN_AFTER.toNanos()) {
                return server.transferLeadership(to).handle((ok, e) -> null)
                        .thenCompose(x -> awaitLeader(to, deadline, System.nanoTime()));
            }
            return CompletableFuture.supplyAsync(() -> null, later()).thenCompose(x -> awaitLeader(to, deadline, askedAt));
        });
    }

    /**
     * Proposes a change; while this node leads but cannot make it yet, tries again until the deadline.
     * Completes with the index of the change once it is applied here.
     */
    private CompletableFuture<Long> change(ConfigChange change, long deadline) {
        return server.changeMembership(change).exceptionallyCompose(e -> {
            Throwable t = KvService.unwrap(e);
            if (t instanceof IllegalArgumentException bad) {
                int status = bad instanceof UnknownMemberException ? 404 : 409;
                return CompletableFuture.failedFuture(new RequestException(status, status == 404 ? "not_found" : "conflict",
                        bad.getMessage()));
            }
            boolean leaderButNotYet = t instanceof NotAppliedException n && Objects.equals(n.leaderHint(), ownId());
            if (leaderButNotYet && System.nanoTime() < deadline) {
                return CompletableFuture.supplyAsync(() -> null, later()).thenCompose(x -> change(change, deadline));
            }
            return CompletableFuture.failedFuture(t);
        });
    }

    private String ownId() {
        return server.options().raft().id();
    }

    private static Executor later() {
        return CompletableFuture.delayedExecutor(RETRY_EVERY.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static void checkId(String id) {
        if (id == null || id.isEmpty() || id.length() > 64 || !id.matches("[A-Za-z0-9._-]+")) {
            throw new RequestException(400, "bad_request", "a member id is 1-64 letters, digits, '.', '_' or '-'; got '" + id + "'");
        }
    }
}
