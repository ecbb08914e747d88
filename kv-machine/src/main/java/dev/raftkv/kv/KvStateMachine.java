package dev.raftkv.kv;

import dev.raftkv.raft.server.StateMachine;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * The in-memory key-value machine. Remembers each client's last request and its result, so a retry
 * of the same (client, seq) is answered without being applied twice.
 */
public final class KvStateMachine implements StateMachine {
    private record Session(long seq, KvResult result) {
    }

    /** "RKVS": the first bytes of a key-value snapshot. */
    private static final int SNAPSHOT_MAGIC = 0x524b5653;
    /** Bumped on any change to the snapshot layout; a restore refuses a version it does not know. */
    private static final int SNAPSHOT_VERSION = 1;
    private static final int BUFFER_BYTES = 64 * 1024;

    // both sorted, so that every replica writes byte-identical snapshots without sorting a copy first
    private final TreeMap<String, byte[]> data = new TreeMap<>();
    private final TreeMap<String, Session> sessions = new TreeMap<>();

    @Override
    public Object apply(long index, byte[] command) {
        KvCommand c = KvCodec.decode(command);
        Session s = sessions.get(c.clientId());
        if (s != null && c.seq() <= s.seq()) {
            // a retry of what we already applied (or an even older request): never apply twice
            return s.result();
        }
        KvResult result;
        if (c instanceof KvCommand.Put p) {
            data.put(p.key(), p.value());
            result = new KvResult.Written(index);
        } else if (c instanceof KvCommand.Delete d) {
            result = new KvResult.Deleted(data.remove(d.key()) != null);
        } else {
            KvCommand.Cas cas = (KvCommand.Cas) c;
            byte[] current = data.get(cas.key());
            boolean ok = Arrays.equals(current, cas.expect());
            if (ok) data.put(cas.key(), cas.value());
            result = new KvResult.CasDone(ok, ok ? cas.value() : current);
        }
        sessions.put(c.clientId(), new Session(c.seq(), result));
        return result;
    }

    @Override
    public Object query(byte[] query) {
        return new KvResult.Value(data.get(KvCodec.decodeGet(query)));
    }

    public int size() {
        return data.size();
    }

    /**
     * Streams the map to {@code out}: magic "RKVS", format version, then every key and value in key
     * order, then every client session; nothing is copied first. Called on the apply thread, so the
     * map cannot change while it is written. The snapshot store adds the checksum (manifest CRC32C).
     */
    @Override
    public void snapshot(OutputStream target) throws IOException {
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(target, BUFFER_BYTES));
        out.writeInt(SNAPSHOT_MAGIC);
        out.writeInt(SNAPSHOT_VERSION);
        out.writeInt(data.size());
        for (Map.Entry<String, byte[]> e : data.entrySet()) {
            out.writeUTF(e.getKey());
            KvCodec.writeBytes(out, e.getValue());
        }
        out.writeInt(sessions.size());
        for (Map.Entry<String, Session> e : sessions.entrySet()) {
            out.writeUTF(e.getKey());
            out.writeLong(e.getValue().seq());
            writeResult(out, e.getValue().result());
        }
        out.flush(); // not close: the stream belongs to the caller
    }

    /**
     * Replaces the map by what {@link #snapshot} wrote, reading it as it streams in. The old state is
     * dropped first, so memory holds one map, not two; a snapshot that turns out malformed half way
     * leaves this machine part-restored and throws, and the server stops rather than serve from it.
     */
    @Override
    public void restore(InputStream source) throws IOException {
        data.clear();
        sessions.clear();
        DataInputStream in = new DataInputStream(new BufferedInputStream(source, BUFFER_BYTES));
        try {
            int magic = in.readInt();
            if (magic != SNAPSHOT_MAGIC) throw new IOException("not a key-value snapshot (magic " + Integer.toHexString(magic) + ")");
            int version = in.readInt();
            if (version != SNAPSHOT_VERSION) {
                throw new IOException("key-value snapshot format " + version + " is not supported (this build reads "
                        + SNAPSHOT_VERSION + ")");
            }
            int n = in.readInt();
            for (int i = 0; i < n; i++) data.put(in.readUTF(), KvCodec.readBytes(in));
            int m = in.readInt();
            for (int i = 0; i < m; i++) sessions.put(in.readUTF(), new Session(in.readLong(), readResult(in)));
        } catch (EOFException e) {
            throw new IOException("key-value snapshot ends early (" + data.size() + " keys read)", e);
        }
        if (in.read() != -1) throw new IOException("key-value snapshot has bytes after its end");
    }

    private static void writeResult(DataOutputStream out, KvResult r) throws IOException {
        if (r instanceof KvResult.Written w) {
            out.writeByte(1);
            out.writeLong(w.index());
        } else if (r instanceof KvResult.Deleted d) {
            out.writeByte(2);
            out.writeBoolean(d.existed());
        } else if (r instanceof KvResult.CasDone c) {
            out.writeByte(3);
            out.writeBoolean(c.ok());
            KvCodec.writeBytes(out, c.current());
        } else {
            throw new IllegalArgumentException("not a write result: " + r);
        }
    }

    private static KvResult readResult(DataInputStream in) throws IOException {
        byte tag = in.readByte();
        return switch (tag) {
            case 1 -> new KvResult.Written(in.readLong());
            case 2 -> new KvResult.Deleted(in.readBoolean());
            case 3 -> new KvResult.CasDone(in.readBoolean(), KvCodec.readBytes(in));
            default -> throw new IOException("unknown result tag " + tag);
        };
    }
}
