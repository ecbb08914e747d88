package dev.raftkv.raft;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInput;
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
 * The bytes of a CONFIG entry: a format version byte, then voters, learners (each an i32 count of strings) and
 * endpoints (an i32 count of id/endpoint pairs). Sorted sets make the bytes of equal configs equal, which
 * bootstrapped nodes rely on (same index and term, same entry).
 *
 * <p>Format 2 writes strings as {@link LengthPrefixed} does (an i32 length and UTF-8, as KV commands do). Format 1
 * wrote them with {@code writeUTF} (modified UTF-8 behind a u16 length: an id or endpoint over 64 KiB could not be
 * encoded at all); logs written then still hold such entries, so format 1 is still read, and never written.
 */
public final class ClusterConfigCodec {
    /** The layout written today. */
    static final byte FORMAT = 2;
    /** The {@code writeUTF} layout of older builds: read, never written. */
    static final byte MODIFIED_UTF8_FORMAT = 1;

    private ClusterConfigCodec() {
    }

    public static byte[] encode(ClusterConfig config) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT);
            writeStrings(config.voters(), out);
            writeStrings(config.learners(), out);
            out.writeInt(config.endpoints().size());
            for (Map.Entry<String, String> e : config.endpoints().entrySet()) {
                LengthPrefixed.writeString(out, e.getKey());
                LengthPrefixed.writeString(out, e.getValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** One string of a given format. */
    private interface StringReader {
        String read(DataInputStream in) throws IOException;
    }

    /** @throws IllegalArgumentException if the bytes are not a whole, possible config of a known format */
    public static ClusterConfig decode(byte[] data) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            byte format = in.readByte();
            StringReader string;
            if (format == FORMAT) string = LengthPrefixed::readString;
            else if (format == MODIFIED_UTF8_FORMAT) string = DataInput::readUTF;
            else throw new IllegalArgumentException("membership format " + format + " is not supported (this build reads "
                    + MODIFIED_UTF8_FORMAT + " and " + FORMAT + ")");
            Set<String> voters = readStrings(in, data.length, string);
            Set<String> learners = readStrings(in, data.length, string);
            int n = count(in, data.length);
            Map<String, String> endpoints = new TreeMap<>();
            for (int i = 0; i < n; i++) endpoints.put(string.read(in), string.read(in));
            if (in.available() > 0) throw new IllegalArgumentException(in.available() + " bytes after the membership");
            return new ClusterConfig(voters, learners, endpoints);
        } catch (IOException e) {
            throw new IllegalArgumentException("malformed membership: " + e);
        }
    }

    private static void writeStrings(Collection<String> ids, DataOutputStream out) throws IOException {
        out.writeInt(ids.size());
        for (String id : ids) LengthPrefixed.writeString(out, id);
    }

    private static Set<String> readStrings(DataInputStream in, int limit, StringReader string) throws IOException {
        int n = count(in, limit);
        Set<String> out = new TreeSet<>();
        for (int i = 0; i < n; i++) out.add(string.read(in));
        return out;
    }

    /** A count no larger than the bytes could hold, so a damaged count cannot make us allocate wildly. */
    private static int count(DataInputStream in, int limit) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > limit) throw new IllegalArgumentException("impossible count " + n);
        return n;
    }
}
