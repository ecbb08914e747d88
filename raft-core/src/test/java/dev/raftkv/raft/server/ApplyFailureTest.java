package dev.raftkv.raft.server;

import dev.raftkv.raft.log.FileLogStorage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * A state machine that throws, or an Error on the apply thread (an OutOfMemoryError), stops the node loudly:
 * the fatal-error handler is told which entry failed, whatever waits is answered, and nothing after the
 * failed entry is applied. Before, the apply thread died silently and the node went on voting and leading
 * without ever answering again.
 */
class ApplyFailureTest {
    /** Applies commands in order; throws what {@code failure} makes for the command "poison". */
    private static final class PoisonedMachine extends LoneLeader.RecordingMachine {
        private final Supplier<Throwable> failure;

        PoisonedMachine(Supplier<Throwable> failure) {
            this.failure = failure;
        }

        @Override
        public Object apply(long index, byte[] command) {
            if (new String(command).equals("poison")) {
                Throwable t = failure.get();
                if (t instanceof Error e) throw e;
                throw (RuntimeException) t;
            }
            return super.apply(index, command);
        }
    }

    @TempDir
    Path dir;
    private LoneLeader leader;

    @AfterEach
    void close() throws InterruptedException {
        if (leader != null) leader.close();
    }

    @Test
    void aStateMachineThatThrowsStopsTheNodeAndNamesTheEntry() throws Exception {
        assertFailStop(() -> new IllegalStateException("injected: the machine is broken"));
    }

    @Test
    void anErrorOnTheApplyThreadStopsTheNodeToo() throws Exception {
        assertFailStop(() -> new OutOfMemoryError("injected: Java heap space"));
    }

    private void assertFailStop(Supplier<Throwable> failure) throws Exception {
        PoisonedMachine machine = new PoisonedMachine(failure);
        RecordingFatalErrorHandler handler = new RecordingFatalErrorHandler();
        leader = new LoneLeader(dir, FileLogStorage.open(dir), machine, handler);
        RaftServer server = leader.server;
        assertThat(server.propose("before".getBytes()).get(5, TimeUnit.SECONDS)).isNotNull();

        CompletableFuture<Object> poison = server.propose("poison".getBytes());
        FatalError error = handler.first().get(10, TimeUnit.SECONDS);
        assertThat(error).isInstanceOf(FatalError.ApplyFailed.class);
        assertThat(error.cause()).hasMessageStartingWith("injected");
        assertThat(((FatalError.ApplyFailed) error).index()).isEqualTo(3); // 1 the no-op, 2 "before", 3 "poison"
        assertThat(error.describe()).contains("applying entry 3 failed");
        assertThat(server.failure().get(1, TimeUnit.SECONDS)).isSameAs(error.cause());

        // the proposal that failed is answered (it committed, but its result is unknown), not left to time out
        assertThatThrownBy(() -> poison.get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(OutcomeUnknownException.class);
        await().atMost(Duration.ofSeconds(5)).until(server::isStopped);
        assertThatThrownBy(() -> server.propose("after".getBytes()).get(5, TimeUnit.SECONDS))
                .hasCauseInstanceOf(NotAppliedException.class);
        assertThat(machine.applied).containsExactly("before");
        assertThat(handler.errors()).hasSize(1);
    }
}
