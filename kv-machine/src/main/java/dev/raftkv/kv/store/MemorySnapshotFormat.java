package dev.raftkv.kv.store;

import dev.raftkv.raft.LengthPrefixed;
import dev.raftkv.raft.server.Snapshot;
import dev.raftkv.raft.server.SnapshotFile;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Collection;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The memory store's snapshot: one stream, {@code data}. Magic "RKVS", format version (i32, 2), the
 * {@link KvMeta} (four i64), the number of keys (i64), then each key (bytes), its create and mod revision
 * and version (i64 each) and value (bytes), in key order; then the number of sessions (i64) and each one,
 * least recently active first: client id (string), seq, last index, last time (i64 each), result (bytes).
 * Strings and bytes as {@link LengthPrefixed} writes them (i32 length, no 64 KiB ceiling). Format 1 (values only,
 * {@code writeUTF} keys) and any other version are refused with a message.
 */
final class MemorySnapshotFormat {
    /** "RKVS": the first bytes of a key-value snapshot. */
    static final int MAGIC = 0x524b5653;
    static final int VERSION = 2;
    private static final int BUFFER_BYTES = 64 * 1024;

    private MemorySnapshotFormat() {
    }

    static void write(OutputStream target, KvMeta meta, Map<byte[], Versioned> data, Collection<Session> sessionsByAge)
            throws IOException {
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(target, BUFFER_BYTES));
        out.writeInt(MAGIC);
        out.writeInt(VERSION);
        writeMeta(out, meta);
        out.writeLong(data.size());
        for (Map.Entry<byte[], Versioned> e : data.entrySet()) {
            LengthPrefixed.writeBytes(out, e.getKey());
            Versioned v = e.getValue();
            out.writeLong(v.createRevision());
            out.writeLong(v.modRevision());
            out.writeLong(v.version());
            LengthPrefixed.writeBytes(out, v.value());
        }
        out.writeLong(sessionsByAge.size());
        for (Session s : sessionsByAge) {
            LengthPrefixed.writeString(out, s.clientId());
            out.writeLong(s.seq());
            out.writeLong(s.lastIndex());
            out.writeLong(s.lastTime());
            LengthPrefixed.writeBytes(out, s.result());
        }
        out.flush(); // not close: the stream belongs to the snapshot writer
    }

    /** Reads what {@link #write} wrote, handing over each key and session as it arrives; returns the meta. */
    static KvMeta read(InputStream source, BiConsumer<byte[], Versioned> key, Consumer<Session> session) throws IOException {
        DataInputStream in = new DataInputStream(new BufferedInputStream(source, BUFFER_BYTES));
        long keys = 0;
        try {
            int magic = in.readInt();
            if (magic != MAGIC) throw new IOException("not a key-value snapshot (magic " + Integer.toHexString(magic) + ")");
            int version = in.readInt();
            if (version != VERSION) {
                throw new IOException("key-value snapshot format " + version + " is not supported (this build reads "
                        + VERSION + ")");
            }
            KvMeta meta = readMeta(in);
            long n = in.readLong();
            for (; keys < n; keys++) {
                byte[] k = LengthPrefixed.readBytes(in);
                long create = in.readLong();
                long mod = in.readLong();
                long ver = in.readLong();
                byte[] v = LengthPrefixed.readBytes(in);
                if (k == null || v == null) throw new IOException("a null key or value in a key-value snapshot");
                key.accept(k, new Versioned(v, create, mod, ver));
            }
            long m = in.readLong();
            if (m != meta.sessionCount()) {
                throw new IOException("key-value snapshot holds " + m + " sessions, its header says " + meta.sessionCount());
            }
            for (long i = 0; i < m; i++) {
                String id = LengthPrefixed.readString(in);
                long seq = in.readLong();
                long lastIndex = in.readLong();
                long lastTime = in.readLong();
                byte[] result = LengthPrefixed.readBytes(in);
                if (result == null) throw new IOException("a session without a result in a key-value snapshot");
                session.accept(new Session(id, seq, result, lastIndex, lastTime));
            }
            if (in.read() != -1) throw new IOException("key-value snapshot has bytes after its end");
            return meta;
        } catch (EOFException e) {
            throw new IOException("key-value snapshot ends early (" + keys + " keys read)", e);
        }
    }

    static void writeMeta(DataOutputStream out, KvMeta meta) throws IOException {
        out.writeLong(meta.appliedIndex());
        out.writeLong(meta.sessionClock());
        out.writeLong(meta.sessionCount());
        out.writeLong(meta.sessionBytes());
    }

    static KvMeta readMeta(DataInputStream in) throws IOException {
        return new KvMeta(in.readLong(), in.readLong(), in.readLong(), in.readLong());
    }

    /** @throws IOException if the snapshot is not one stream: the other store's kind, which this one cannot read */
    static void checkIsStream(Snapshot snapshot) throws IOException {
        if (snapshot.files().size() != 1 || !snapshot.files().get(0).name().equals(Snapshot.DATA)) {
            throw new IOException("snapshot " + snapshot.meta().index() + " is not a memory-store snapshot (its files: "
                    + snapshot.files().stream().map(SnapshotFile::name).limit(5).toList() + "...); every member of a "
                    + "cluster must run the same --store");
        }
    }
}
