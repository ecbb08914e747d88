package dev.raftkv.client;

import dev.raftkv.client.ClientProtocol.Status;
import dev.raftkv.kv.KvLimits;
import dev.raftkv.kv.KvResult;
import dev.raftkv.node.OneNodeCluster;
import dev.raftkv.node.RaftkvNode;
import dev.raftkv.raft.server.NotAppliedException;
import dev.raftkv.raft.server.OutcomeUnknownException;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import static dev.raftkv.client.ClientTests.await;
import static dev.raftkv.client.ClientTests.clientAddress;
import static dev.raftkv.client.ClientTests.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** KvClient against a real one-node cluster, and against scripted stand-in members for redirects and failures. */
class KvClientTest {
    private static final KvClient.Options QUICK = KvClient.Options.DEFAULT.withTimeout(Duration.ofMillis(600));

    @TempDir
    Path dir;
    @RegisterExtension
    final Closer closer = new Closer();

    private RaftkvNode node() throws Exception {
        return closer.add(OneNodeCluster.start(dir, KvLimits.DEFAULT));
    }

    @Test
    void putGetCasDeleteThroughTheClient() throws Exception {
        KvClient client = closer.add(new KvClient(List.of(clientAddress(node()))));
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
        KvClient client = closer.add(new KvClient(List.of(clientAddress(node()))));
        List<CompletableFuture<Long>> puts = new ArrayList<>();
        for (int i = 0; i < 300; i++) puts.add(client.put("k" + i, utf8("v" + i)));
        for (CompletableFuture<Long> p : puts) await(p);
        for (int i = 0; i < 300; i += 37) assertThat(await(client.get("k" + i))).isEqualTo(utf8("v" + i));
    }

    @Test
    void followsNotLeaderToTheLeaderAndStaysThere() throws Exception {
        RaftkvNode leader = node();
        String leaderAddress = "127.0.0.1:" + leader.clientPort();
        FakeClientServer follower = closer.add(new FakeClientServer(r -> ClientResponse.notLeader(r.requestId(), "n1", leaderAddress)));
        KvClient client = closer.add(new KvClient(List.of(follower.address())));
        assertThat(await(client.put("k", utf8("v")))).isPositive();
        assertThat(await(client.get("k"))).isEqualTo(utf8("v"));
        assertThat(follower.received).hasSize(1); // the second request went straight to the leader
    }

    @Test
    void retriesKeepTheClientIdAndSeqSoTheWriteIsAppliedOnce() throws Exception {
        RaftkvNode real = node();
        KvClient direct = closer.add(new KvClient(List.of(clientAddress(real))));
        await(direct.put("k", utf8("a")));
        FakeClientServer flaky = closer.add(FakeClientServer.losingFirstAnswer(clientAddress(real)));
        KvClient client = closer.add(new KvClient(List.of(flaky.address())));
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
        KvClient client = closer.add(new KvClient(List.of(new InetSocketAddress("127.0.0.1", closedPort)), QUICK));
        assertThatThrownBy(() -> await(client.put("k", utf8("v"))))
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(NotAppliedException.class);
    }

    @Test
    void aWriteALeaderMayHaveReceivedTimesOutAsOutcomeUnknown() throws Exception {
        FakeClientServer silent = closer.add(new FakeClientServer(r -> null));
        KvClient client = closer.add(new KvClient(List.of(silent.address()), QUICK));
        assertThatThrownBy(() -> await(client.put("k", utf8("v"))))
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(OutcomeUnknownException.class);
        // a read changes nothing: unanswered, it simply was not served
        assertThatThrownBy(() -> await(client.get("k")))
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(NotAppliedException.class);
    }

    @Test
    void notAppliedAnswersAreRetriedUntilTheTimeout() throws Exception {
        FakeClientServer noQuorum = closer.add(new FakeClientServer(r -> ClientResponse.error(r.requestId(), Status.NOT_APPLIED, "no quorum")));
        KvClient client = closer.add(new KvClient(List.of(noQuorum.address()), QUICK));
        assertThatThrownBy(() -> await(client.put("k", utf8("v"))))
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(NotAppliedException.class);
        assertThat(noQuorum.received.size()).isGreaterThan(1);
    }
}
