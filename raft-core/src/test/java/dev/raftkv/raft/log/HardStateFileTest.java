package dev.raftkv.raft.log;

import dev.raftkv.raft.HardState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HardStateFileTest {
    @TempDir
    Path dir;

    @Test
    void nothingWrittenYetReadsAsInitial() throws IOException {
        assertThat(new HardStateFile(dir, Syncer.FSYNC).read()).isEqualTo(HardState.INITIAL);
    }

    @Test
    void roundTrips() throws IOException {
        HardStateFile file = new HardStateFile(dir, Syncer.FSYNC);
        for (HardState s : new HardState[]{new HardState(7, "n2", 41), new HardState(8, null, 0),
                new HardState(Long.MAX_VALUE, "nœud-ü", Long.MAX_VALUE), new HardState(9, "n3", 12, true),
                new HardState(10, null, 12, true)}) {
            file.write(s);
            assertThat(new HardStateFile(dir, Syncer.FSYNC).read()).isEqualTo(s);
        }
    }

    /** Version 1 (before the repairing flag) is still read: a node upgraded in place keeps its vote. */
    @Test
    void aVersionOneFileIsReadAsNotRepairing() throws IOException {
        byte[] vote = "n2".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(4 + 1 + 8 + 8 + 4 + vote.length + 4);
        buf.putInt(0x524b4853).put((byte) 1).putLong(7).putLong(41).putInt(vote.length).put(vote);
        buf.putInt(LogRecord.crc(buf.array(), 0, buf.position()));
        Files.write(dir.resolve("meta"), buf.array());
        assertThat(new HardStateFile(dir, Syncer.FSYNC).read()).isEqualTo(new HardState(7, "n2", 41, false));
    }

    @Test
    void aWriteReplacesTheWholeStateThroughATempFileThatIsRenamedAway() throws IOException {
        TestSyncer syncer = TestSyncer.counting();
        HardStateFile file = new HardStateFile(dir, syncer);
        file.write(new HardState(3, "a-long-node-name", 10));
        file.write(new HardState(4, "b", 11));
        assertThat(file.read()).isEqualTo(new HardState(4, "b", 11));
        assertThat(dir.resolve("meta.tmp")).doesNotExist();
        // each write: the temp file forced, then the directory after the rename
        assertThat(syncer.forces.get()).isEqualTo(2);
        assertThat(syncer.directorySyncs.get()).isEqualTo(2);
    }

    @Test
    void aLeftoverTempFileFromACrashIsIgnored() throws IOException {
        HardStateFile file = new HardStateFile(dir, Syncer.FSYNC);
        file.write(new HardState(5, "a", 2));
        Files.write(dir.resolve("meta.tmp"), new byte[]{1, 2, 3}); // crash before the rename
        assertThat(file.read()).isEqualTo(new HardState(5, "a", 2));
        file.write(new HardState(6, null, 2));
        assertThat(file.read()).isEqualTo(new HardState(6, null, 2));
    }

    @Test
    void anyFlippedBitIsDetectedAndNamesTheFile() throws IOException {
        HardStateFile file = new HardStateFile(dir, Syncer.FSYNC);
        file.write(new HardState(9, "n1", 100));
        byte[] good = Files.readAllBytes(file.file());
        for (int i = 0; i < good.length; i++) {
            byte[] bad = good.clone();
            bad[i] ^= 0x10;
            Files.write(file.file(), bad);
            assertThatThrownBy(file::read).as("bit flipped in byte %d", i)
                    .isInstanceOf(CorruptLogException.class)
                    .hasMessageContaining(file.file().toString());
        }
    }

    @Test
    void aShortFileIsDetected() throws IOException {
        HardStateFile file = new HardStateFile(dir, Syncer.FSYNC);
        file.write(new HardState(9, "n1", 100));
        byte[] good = Files.readAllBytes(file.file());
        Files.write(file.file(), Arrays.copyOf(good, good.length - 1));
        assertThatThrownBy(file::read).isInstanceOf(CorruptLogException.class).hasMessageContaining("meta");
        Files.write(file.file(), new byte[0]);
        assertThatThrownBy(file::read).isInstanceOf(CorruptLogException.class);
    }
}
