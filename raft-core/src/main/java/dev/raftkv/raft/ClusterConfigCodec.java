package dev.raftkv.raft;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The bytes of a CONFIG entry, and of the membership inside a snapshot on the wire:
 * a version byte, then voters, learners (each an i32 count of strings) and endpoints (an i32 count of
 * id/endpoint pairs); strings are Java's modified UTF-8 with a u16 length. Sorted sets make the bytes
 * of equal configs equal, which bootstrapped nodes rely on (same index and term, same entry).
 */
public final class ClusterConfigCodec {
    private static final byte VERSION = 1;

    private ClusterConfigCodec() {
    }

    public static byte[] encode(ClusterConfig config) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            writeStrings(config.voters(), out);
            writeStrings(config.learners(), out);
            out.writeInt(config.endpoints().size());
            for (Map.Entry<String, String> e : config.endpoints().entrySet()) {
                out.writeUTF(e.getKey());
                out.writeUTF(e.getValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** @throws IllegalArgumentException if the bytes are not a whole, possible config */
    public static ClusterConfig decode(byte[] data) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            byte version = in.readByte();
            if (version != VERSION) throw new IllegalArgumentException("unknown membership format version " + version);
            Set<String> voters = readStrings(in, data.length);
            Set<String> learners = readStrings(in, data.length);
            int n = count(in, data.length);
            Map<String, String> endpoints = new TreeMap<>();
            for (int i = 0; i < n; i++) endpoints.put(in.readUTF(), in.readUTF());
            if (in.available() > 0) throw new IllegalArgumentException(in.available() + " bytes after the membership");
            return new ClusterConfig(voters, learners, endpoints);
        } catch (IOException e) {
            throw new IllegalArgumentException("truncated membership: " + e);
        }
    }

    private static void writeStrings(Collection<String> ids, DataOutputStream out) throws IOException {
        out.writeInt(ids.size());
        for (String id : ids) out.writeUTF(id);
    }

    private static Set<String> readStrings(DataInputStream in, int limit) throws IOException {
        int n = count(in, limit);
        Set<String> out = new TreeSet<>();
        for (int i = 0; i < n; i++) out.add(in.readUTF());
        return out;
    }

    /** A count no larger than the bytes could hold, so a damaged count cannot make us allocate wildly. */
    private static int count(DataInputStream in, int limit) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > limit) throw new IllegalArgumentException("impossible count " + n);
        return n;
    }
}
