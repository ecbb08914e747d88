package dev.raftkv.kv;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/** The bytes of commands and queries in the log. A tag byte, then the fields; a null value is length -1. */
public final class KvCodec {
    private static final byte PUT = 1;
    private static final byte DELETE = 2;
    private static final byte CAS = 3;

    private KvCodec() {
    }

    public static byte[] encode(KvCommand c) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            if (c instanceof KvCommand.Put p) {
                out.writeByte(PUT);
                header(out, c);
                writeBytes(out, p.value());
            } else if (c instanceof KvCommand.Delete) {
                out.writeByte(DELETE);
                header(out, c);
            } else if (c instanceof KvCommand.Cas cas) {
                out.writeByte(CAS);
                header(out, c);
                writeBytes(out, cas.expect());
                writeBytes(out, cas.value());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public static KvCommand decode(byte[] data) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            byte tag = in.readByte();
            String client = in.readUTF();
            long seq = in.readLong();
            String key = in.readUTF();
            return switch (tag) {
                case PUT -> new KvCommand.Put(client, seq, key, readBytes(in));
                case DELETE -> new KvCommand.Delete(client, seq, key);
                case CAS -> new KvCommand.Cas(client, seq, key, readBytes(in), readBytes(in));
                default -> throw new IllegalArgumentException("unknown command tag " + tag);
            };
        } catch (IOException e) {
            throw new IllegalArgumentException("malformed command", e);
        }
    }

    /** A query is just the key to read. */
    public static byte[] encodeGet(String key) {
        return key.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    public static String decodeGet(byte[] query) {
        return new String(query, java.nio.charset.StandardCharsets.UTF_8);
    }

    private static void header(DataOutputStream out, KvCommand c) throws IOException {
        out.writeUTF(c.clientId());
        out.writeLong(c.seq());
        out.writeUTF(c.key());
    }

    static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
        if (b == null) {
            out.writeInt(-1);
        } else {
            out.writeInt(b.length);
            out.write(b);
        }
    }

    static byte[] readBytes(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0) return null;
        byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }
}
