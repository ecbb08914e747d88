package dev.raftkv.kv;

import dev.raftkv.raft.server.StateMachine;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The in-memory key-value machine. Remembers each client's last request and its result, so a retry
 * of the same (client, seq) is answered without being applied twice.
 */
public final class KvStateMachine implements StateMachine {
    private record Session(long seq, KvResult result) {
    }

    private final TreeMap<String, byte[]> data = new TreeMap<>();
    private final Map<String, Session> sessions = new HashMap<>();

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

    @Override
    public byte[] snapshot() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(data.size());
            for (Map.Entry<String, byte[]> e : data.entrySet()) {
                out.writeUTF(e.getKey());
                KvCodec.writeBytes(out, e.getValue());
            }
            out.writeInt(sessions.size());
            for (Map.Entry<String, Session> e : new TreeMap<>(sessions).entrySet()) {
                out.writeUTF(e.getKey());
                out.writeLong(e.getValue().seq());
                writeResult(out, e.getValue().result());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    @Override
    public void restore(byte[] snapshot) {
        data.clear();
        sessions.clear();
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(snapshot))) {
            int n = in.readInt();
            for (int i = 0; i < n; i++) data.put(in.readUTF(), KvCodec.readBytes(in));
            int m = in.readInt();
            for (int i = 0; i < m; i++) sessions.put(in.readUTF(), new Session(in.readLong(), readResult(in)));
        } catch (IOException e) {
            throw new IllegalArgumentException("malformed key-value snapshot", e);
        }
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
