package dev.raftkv.transport;

import dev.raftkv.raft.ClusterConfig;
import dev.raftkv.raft.Message;
import dev.raftkv.raft.SnapshotMeta;
import dev.raftkv.raft.server.Snapshot;
import dev.raftkv.raft.server.SnapshotFile;
import dev.raftkv.raft.server.SnapshotWriter;
import dev.raftkv.raft.snapshot.InMemorySnapshotStore;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.zip.CRC32C;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SnapshotAssemblyTest {
    private static final Message.InstallSnapshot INSTALL =
            new Message.InstallSnapshot("a", "b", 3, new SnapshotMeta(10, 2, ClusterConfig.ofVoters("a", "b")));

    private final InMemorySnapshotStore store = new InMemorySnapshotStore();

    private static long crc(byte... data) {
        CRC32C crc = new CRC32C();
        crc.update(data);
        return crc.getValue();
    }

    private SnapshotAssembly assembly(long total, long crc) {
        return assembly(new SnapshotFile(Snapshot.DATA, total, crc));
    }

    private SnapshotAssembly assembly(SnapshotFile... files) {
        return new SnapshotAssembly(new SnapshotBegin(7, List.of(files), INSTALL), store.create(INSTALL.meta()));
    }

    @Test
    void chunksGoIntoTheFileTheirOffsetFallsInAndEmptyFilesAreCreatedOnTheWay() throws Exception {
        SnapshotAssembly a = assembly(new SnapshotFile("empty-first", 0, crc()), new SnapshotFile("one", 3, crc(new byte[]{1, 2, 3})),
                new SnapshotFile("empty", 0, SnapshotFile.NO_CRC), new SnapshotFile("two", 2, SnapshotFile.NO_CRC),
                new SnapshotFile("empty-last", 0, crc()));
        assertThat(a.add(new SnapshotChunk(7, 0, false, new byte[]{1, 2}))).isFalse();
        assertThat(a.add(new SnapshotChunk(7, 2, false, new byte[]{3}))).isFalse();
        assertThatThrownBy(() -> assembly(new SnapshotFile("one", 3, 0), new SnapshotFile("two", 2, 0))
                .add(new SnapshotChunk(7, 0, false, new byte[4])))
                .isInstanceOf(MalformedFrameException.class).hasMessageContaining("crosses the end of file one");
        assertThat(a.add(new SnapshotChunk(7, 3, true, new byte[]{4, 5}))).isTrue();
        Snapshot s = a.writer().commit();
        assertThat(s.files()).extracting(SnapshotFile::name).containsExactly("empty-first", "one", "empty", "two", "empty-last");
        assertThat(s.files()).extracting(SnapshotFile::size).containsExactly(0L, 3L, 0L, 2L, 0L);
        assertThat(RecordingSink.bytes(s)).containsExactly(1, 2, 3, 4, 5);
    }

    @Test
    void aFileThatFailsItsOwnAnnouncedChecksumIsRefusedAsSoonAsItEnds() throws Exception {
        SnapshotAssembly a = assembly(new SnapshotFile("one", 2, crc(new byte[]{1, 2})), new SnapshotFile("two", 2, crc(new byte[]{3, 4})));
        assertThatThrownBy(() -> a.add(new SnapshotChunk(7, 0, false, new byte[]{1, 9})))
                .isInstanceOf(MalformedFrameException.class).hasMessageContaining("snapshot file one").hasMessageContaining("fails");
        SnapshotAssembly b = assembly(new SnapshotFile("one", 2, crc(new byte[]{1, 2})), new SnapshotFile("two", 2, crc(new byte[]{3, 4})));
        assertThat(b.add(new SnapshotChunk(7, 0, false, new byte[]{1, 2}))).isFalse();
        assertThatThrownBy(() -> b.add(new SnapshotChunk(7, 2, true, new byte[]{3, 5})))
                .isInstanceOf(MalformedFrameException.class).hasMessageContaining("snapshot file two");
    }

    @Test
    void writesContiguousChunksIntoTheSnapshotStore() throws Exception {
        SnapshotAssembly a = assembly(5, crc(new byte[]{1, 2, 3, 4, 5}));
        assertThat(a.add(new SnapshotChunk(7, 0, false, new byte[]{1, 2}))).isFalse();
        assertThat(a.add(new SnapshotChunk(7, 2, true, new byte[]{3, 4, 5}))).isTrue();
        Snapshot s = a.writer().commit();
        assertThat(RecordingSink.bytes(s)).containsExactly(1, 2, 3, 4, 5);
        assertThat(s.meta()).isEqualTo(INSTALL.meta());
    }

    @Test
    void anEmptySnapshotIsOneEmptyLastChunk() throws Exception {
        SnapshotAssembly a = assembly(0, crc());
        assertThat(a.add(new SnapshotChunk(7, 0, true, new byte[0]))).isTrue();
        assertThat(RecordingSink.bytes(a.writer().commit())).isEmpty();
    }

    @Test
    void refusesGapsOverrunsAndShortEnds() throws Exception {
        assertThatThrownBy(() -> assembly(5, 0).add(new SnapshotChunk(7, 1, false, new byte[1])))
                .isInstanceOf(MalformedFrameException.class).hasMessageContaining("expected 0");
        assertThatThrownBy(() -> assembly(2, 0).add(new SnapshotChunk(7, 0, false, new byte[3])))
                .isInstanceOf(MalformedFrameException.class).hasMessageContaining("overrun");
        assertThatThrownBy(() -> assembly(4, 0).add(new SnapshotChunk(7, 0, true, new byte[3])))
                .isInstanceOf(MalformedFrameException.class).hasMessageContaining("ended at 3 of 4");
        SnapshotAssembly done = assembly(1, crc(new byte[1]));
        done.add(new SnapshotChunk(7, 0, true, new byte[1]));
        assertThatThrownBy(() -> done.add(new SnapshotChunk(7, 1, true, new byte[0])))
                .isInstanceOf(MalformedFrameException.class).hasMessageContaining("after the last");
    }

    @Test
    void aWholeThatFailsTheAnnouncedChecksumIsRefused() throws Exception {
        // every chunk intact on the wire, but not what the sender's store recorded (its file was damaged)
        SnapshotAssembly a = assembly(3, crc(new byte[]{1, 2, 3}));
        a.add(new SnapshotChunk(7, 0, false, new byte[]{1, 2}));
        assertThatThrownBy(() -> a.add(new SnapshotChunk(7, 2, true, new byte[]{4})))
                .isInstanceOf(MalformedFrameException.class).hasMessageContaining("fails the CRC32C");
        assertThatThrownBy(a::writer).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aChunkWhoseDataWasDamagedOnTheWayIsRefusedByItsOwnChecksum() throws Exception {
        ByteBuf frame = SnapshotChunk.frame(ByteBufAllocator.DEFAULT, 7, 0, Unpooled.wrappedBuffer(new byte[]{1, 2, 3, 4}), true);
        try {
            frame.skipBytes(Framing.LENGTH_BYTES);
            ByteBuf intact = frame.copy();
            assertThat(SnapshotChunk.decode(intact).data()).containsExactly(1, 2, 3, 4);
            intact.release();
            frame.setByte(frame.writerIndex() - 2, 9); // one byte of the data
            assertThatThrownBy(() -> SnapshotChunk.decode(frame))
                    .isInstanceOf(MalformedFrameException.class).hasMessageContaining("fails its CRC32C");
        } finally {
            frame.release();
        }
    }

    @Test
    void anIncompleteSnapshotCannotBeHandedOver() {
        assertThatThrownBy(() -> assembly(3, 0).writer()).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void abandoningDiscardsTheWriter() throws Exception {
        SnapshotWriter writer = store.create(INSTALL.meta());
        SnapshotAssembly a = new SnapshotAssembly(new SnapshotBegin(7, List.of(new SnapshotFile(Snapshot.DATA, 5, 0)), INSTALL), writer);
        a.add(new SnapshotChunk(7, 0, false, new byte[]{1, 2}));
        a.abandon();
        assertThatThrownBy(writer::commit).isInstanceOf(IllegalStateException.class);
        assertThat(store.latest()).isNull();
    }
}
