package dev.raftkv.raft.log;

import dev.raftkv.raft.HardState;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.TRUNCATE_EXISTING;
import static java.nio.file.StandardOpenOption.WRITE;

/**
 * The hard state in {@code <dir>/meta}, replaced atomically: write {@code meta.tmp}, force it, rename
 * it over {@code meta}, fsync the directory. A crash leaves either the old or the new state, never
 * a mix. Layout (big-endian):
 * <pre>
 *   int    magic    "RKHS"
 *   byte   version  2 (version 1, still read, had no flags)
 *   long   term
 *   long   commit
 *   byte   flags    bit 0: repairing (the node lost committed entries; see HardState)
 *   int    length of votedFor in UTF-8 bytes, -1 for nobody
 *   byte[] votedFor
 *   int    crc32c   over everything before it
 * </pre>
 */
public final class HardStateFile {
    private static final int MAGIC = 0x524b4853; // "RKHS"
    private static final byte VERSION = 2;
    private static final byte VERSION_WITHOUT_FLAGS = 1;
    private static final byte REPAIRING = 1;
    private static final int FIXED_BYTES = 4 + 1 + 8 + 8 + 1 + 4 + 4;

    private final Path dir;
    private final Path file;
    private final Path temp;
    private final Syncer syncer;

    public HardStateFile(Path dir, Syncer syncer) {
        this.dir = dir;
        this.file = dir.resolve("meta");
        this.temp = dir.resolve("meta.tmp");
        this.syncer = syncer;
    }

    public Path file() {
        return file;
    }

    /**
     * The stored hard state, or {@link HardState#INITIAL} if none was ever written. A leftover
     * {@code meta.tmp} is ignored: its rename never happened, so nothing relied on it.
     *
     * @throws CorruptLogException if {@code meta} is damaged
     */
    public HardState read() throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return HardState.INITIAL;
        }
        if (bytes.length < FIXED_BYTES - 1) throw new CorruptLogException(file, 0, "only " + bytes.length + " bytes");
        int crcAt = bytes.length - 4;
        if (LogRecord.crc(bytes, 0, crcAt) != ByteBuffer.wrap(bytes, crcAt, 4).getInt()) {
            throw new CorruptLogException(file, 0, "checksum mismatch");
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes, 0, crcAt);
        if (buf.getInt() != MAGIC) throw new CorruptLogException(file, 0, "not a hard-state file");
        byte version = buf.get();
        if (version != VERSION && version != VERSION_WITHOUT_FLAGS) {
            throw new CorruptLogException(file, 4, "unknown version " + version + "; this node reads versions 1 and 2");
        }
        long term = buf.getLong();
        long commit = buf.getLong();
        byte flags = version == VERSION_WITHOUT_FLAGS ? 0 : buf.get();
        if ((flags & ~REPAIRING) != 0) throw new CorruptLogException(file, buf.position() - 1, "unknown flags " + flags);
        int voteLength = buf.getInt();
        if (voteLength != -1 && voteLength != buf.remaining()) {
            throw new CorruptLogException(file, buf.position() - 4, "vote length " + voteLength + " does not fit");
        }
        String votedFor = null;
        if (voteLength >= 0) {
            byte[] vote = new byte[voteLength];
            buf.get(vote);
            votedFor = new String(vote, StandardCharsets.UTF_8);
        }
        return new HardState(term, votedFor, commit, (flags & REPAIRING) != 0);
    }

    /** Replaces the stored hard state; returns once the new one is durable. */
    public void write(HardState state) throws IOException {
        byte[] vote = state.votedFor() == null ? new byte[0] : state.votedFor().getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.allocate(FIXED_BYTES + vote.length);
        buf.putInt(MAGIC).put(VERSION).putLong(state.term()).putLong(state.commit()).put(state.repairing() ? REPAIRING : 0);
        buf.putInt(state.votedFor() == null ? -1 : vote.length).put(vote);
        buf.putInt(LogRecord.crc(buf.array(), 0, buf.position()));
        buf.flip();
        try (FileChannel ch = FileChannel.open(temp, CREATE, WRITE, TRUNCATE_EXISTING)) {
            while (buf.hasRemaining()) ch.write(buf);
            syncer.force(ch);
        }
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
        syncer.syncDirectory(dir);
    }
}
