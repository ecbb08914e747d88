package dev.raftkv.client;

import dev.raftkv.client.ClientProtocol.Status;
import dev.raftkv.kv.KvLimits;
import dev.raftkv.kv.KvResult;
import dev.raftkv.node.OneNodeCluster;
import dev.raftkv.node.RaftkvNode;
import dev.raftkv.raft.server.NotAppliedException;
import dev.raftkv.raft.server.OutcomeUnknownException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** KvClient against a real one-node cluster, and against scripted stand-in members for redirects and failures. */
class KvClientTest {
    private static final KvClient.Options QUICK = KvClient.Options.DEFAULT.withTimeout(Duration.ofMillis(600));

    @TempDir
    Path dir;
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) toClose.get(i).close();
    }

    private <T extends AutoCloseable> T closing(T c) {
        toClose.add(c);
        return c;
    }

    private RaftkvNode node() throws Exception {
        return closing(OneNodeCluster.start(dir, KvLimits.DEFAULT));
    }

    private static InetSocketAddress clientAddress(RaftkvNode n) {
        return new InetSocketAddress("127.0.0.1", n.clientPort());
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static <T> T await(CompletableFuture<T> f) throws Exception {
        return f.get(10, TimeUnit.SECONDS);
    }

    @Test
    void putGetCasDeleteThroughTheClient() throws Exception {
        KvClient client = closing(new KvClient(List.of(clientAddress(node()))));
        assertThat(await(client.put("k", utf8("v1")))).isPositive();
        assertThat(await(client.get("k"))).isEqualTo(utf8("v1"));
        assertThat(await(client.get("k", ClientProtocol.Consistency.LOCAL))).isEqualTo(utf8("v1"));
        assertThat(await(client.get("k", ClientProtocol.Consistency.LEASE))).isEqualTo(utf8("v1"));
        assertThat(await(client.get("absent"))).isNull();

        KvResult.CasDone failed = await(client.cas("k", utf8("nope"), utf8("v2")));
        assertThat(failed.ok()).isFalse();
        assertThat(failed.current()).isEqualTo(utf8("v1"));
        assertThat(await(client.cas("k", utf8("v1"), utf8("v2"))).ok()).isTrue();
        assertThat(await(client.get("k"))).isEqualTo(utf8("v2"));

        assertThat(await(client.delete("k"))).isTrue();
        assertThat(await(client.delete("k"))).isFalse();
        assertThatThrownBy(() -> await(client.put("", utf8("v")))).hasCauseInstanceOf(KvLimits.Violation.class);
    }

    @Test
    void concurrentWritesFromOneClientAreEachApplied() throws Exception {
        KvClient client = closing(new KvClient(List.of(clientAddress(node()))));
        List<CompletableFuture<Long>> puts = new ArrayList<>();
        for (int i = 0; i < 300; i++) puts.add(client.put("k" + i, utf8("v" + i)));
        for (CompletableFuture<Long> p : puts) await(p);
        for (int i = 0; i < 300; i += 37) assertThat(await(client.get("k" + i))).isEqualTo(utf8("v" + i));
    }

    @Test
    void followsNotLeaderToTheLeaderAndStaysThere() throws Exception {
        RaftkvNode leader = node();
        String leaderAddress = "127.0.0.1:" + leader.clientPort();
        FakeClientServer follower = closing(new FakeClientServer(r -> ClientResponse.notLeader(r.requestId(), "n1", leaderAddress)));
        KvClient client = closing(new KvClient(List.of(follower.address())));
        assertThat(await(client.put("k", utf8("v")))).isPositive();
        assertThat(await(client.get("k"))).isEqualTo(utf8("v"));
        assertThat(follower.received).hasSize(1); // the second request went straight to the leader
    }

    @Test
    void retriesKeepTheClientIdAndSeqSoTheWriteIsAppliedOnce() throws Exception {
        RaftkvNode real = node();
        KvClient direct = closing(new KvClient(List.of(clientAddress(real))));
        await(direct.put("k", utf8("a")));
        // a member that relays each request to the real node but reports the first answer as lost
        io.netty.channel.EventLoopGroup relayGroup = new io.netty.channel.MultiThreadIoEventLoopGroup(1,
                io.netty.channel.nio.NioIoHandler.newFactory());
        closing(() -> relayGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly());
        ClientConnection relay = closing(ClientConnection.connect(relayGroup, clientAddress(real), 1 << 20, 1000)
                .get(5, TimeUnit.SECONDS));
        AtomicInteger seen = new AtomicInteger();
        FakeClientServer flaky = closing(new FakeClientServer(r -> {
            ClientResponse realAnswer = relay.send(r).join();
            return seen.incrementAndGet() == 1 ? ClientResponse.error(r.requestId(), Status.OUTCOME_UNKNOWN, "lost") : realAnswer;
        }));
        KvClient client = closing(new KvClient(List.of(flaky.address())));
        // applied twice, the CAS would fail the second time; as one write retried it succeeds
        assertThat(await(client.cas("k", utf8("a"), utf8("b"))).ok()).isTrue();
        assertThat(flaky.received).hasSize(2);
        ClientRequest first = flaky.received.get(0);
        ClientRequest second = flaky.received.get(1);
        assertThat(second.clientId()).isEqualTo(first.clientId());
        assertThat(second.seq()).isEqualTo(first.seq());
        assertThat(second.requestId()).isNotEqualTo(first.requestId());
        assertThat(await(direct.get("k"))).isEqualTo(utf8("b"));
    }

    @Test
    void noReachableMemberMeansNotApplied() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        KvClient client = closing(new KvClient(List.of(new InetSocketAddress("127.0.0.1", closedPort)), QUICK));
        assertThatThrownBy(() -> await(client.put("k", utf8("v"))))
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(NotAppliedException.class);
    }

    @Test
    void aWriteALeaderMayHaveReceivedTimesOutAsOutcomeUnknown() throws Exception {
        FakeClientServer silent = closing(new FakeClientServer(r -> null));
        KvClient client = closing(new KvClient(List.of(silent.address()), QUICK));
        assertThatThrownBy(() -> await(client.put("k", utf8("v"))))
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(OutcomeUnknownException.class);
        // a read changes nothing: unanswered, it simply was not served
        assertThatThrownBy(() -> await(client.get("k")))
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(NotAppliedException.class);
    }

    @Test
    void notAppliedAnswersAreRetriedUntilTheTimeout() throws Exception {
        FakeClientServer noQuorum = closing(new FakeClientServer(r -> ClientResponse.error(r.requestId(), Status.NOT_APPLIED, "no quorum")));
        KvClient client = closing(new KvClient(List.of(noQuorum.address()), QUICK));
        assertThatThrownBy(() -> await(client.put("k", utf8("v"))))
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(NotAppliedException.class);
        assertThat(noQuorum.received.size()).isGreaterThan(1);
    }
}
