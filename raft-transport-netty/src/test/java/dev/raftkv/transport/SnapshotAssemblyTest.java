package dev.raftkv.transport;

import dev.raftkv.raft.ClusterConfig;
import dev.raftkv.raft.Message;
import dev.raftkv.raft.SnapshotMeta;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SnapshotAssemblyTest {
    private static final Message.InstallSnapshot INSTALL =
            new Message.InstallSnapshot("a", "b", 3, new SnapshotMeta(10, 2, ClusterConfig.ofVoters("a", "b")));

    private static SnapshotAssembly assembly(long total) {
        return new SnapshotAssembly(new SnapshotBegin(7, total, INSTALL));
    }

    @Test
    void joinsContiguousChunksIntoTheSnapshot() throws Exception {
        SnapshotAssembly a = assembly(5);
        assertThat(a.add(new SnapshotChunk(7, 0, false, new byte[]{1, 2}))).isFalse();
        assertThat(a.add(new SnapshotChunk(7, 2, true, new byte[]{3, 4, 5}))).isTrue();
        assertThat(a.snapshot().data()).containsExactly(1, 2, 3, 4, 5);
        assertThat(a.snapshot().meta()).isEqualTo(INSTALL.meta());
    }

    @Test
    void anEmptySnapshotIsOneEmptyLastChunk() throws Exception {
        SnapshotAssembly a = assembly(0);
        assertThat(a.add(new SnapshotChunk(7, 0, true, new byte[0]))).isTrue();
        assertThat(a.snapshot().data()).isEmpty();
    }

    @Test
    void refusesGapsOverrunsAndShortEnds() throws Exception {
        assertThatThrownBy(() -> assembly(5).add(new SnapshotChunk(7, 1, false, new byte[1])))
                .isInstanceOf(MalformedFrameException.class).hasMessageContaining("expected 0");
        assertThatThrownBy(() -> assembly(2).add(new SnapshotChunk(7, 0, false, new byte[3])))
                .isInstanceOf(MalformedFrameException.class).hasMessageContaining("overrun");
        assertThatThrownBy(() -> assembly(4).add(new SnapshotChunk(7, 0, true, new byte[3])))
                .isInstanceOf(MalformedFrameException.class).hasMessageContaining("ended at 3 of 4");
        SnapshotAssembly done = assembly(1);
        done.add(new SnapshotChunk(7, 0, true, new byte[1]));
        assertThatThrownBy(() -> done.add(new SnapshotChunk(7, 1, true, new byte[0])))
                .isInstanceOf(MalformedFrameException.class).hasMessageContaining("after the last");
    }

    @Test
    void anIncompleteSnapshotCannotBeTaken() {
        assertThatThrownBy(() -> assembly(3).snapshot()).isInstanceOf(IllegalStateException.class);
    }
}
