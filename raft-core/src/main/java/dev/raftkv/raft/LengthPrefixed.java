package dev.raftkv.raft;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The fields of the formats raftkv writes to its log and snapshots (KV commands, memory snapshots, CONFIG
 * entries): a string is an i32 length and its UTF-8 bytes, with no 64 KiB ceiling and no modified UTF-8 (unlike
 * {@code writeUTF}); a byte string is an i32 length (-1 for null) and the bytes. In raft-core so that the
 * membership and the KV machine, which depends on this module, share one encoding.
 */
public final class LengthPrefixed {
    private LengthPrefixed() {
    }

    /** An i32 length, then the string's UTF-8 bytes. */
    public static void writeString(DataOutputStream out, String s) throws IOException {
        writeBytes(out, s.getBytes(StandardCharsets.UTF_8));
    }

    /** @throws IOException if the length is negative, past the stream's end, or the bytes are not UTF-8 */
    public static String readString(DataInputStream in) throws IOException {
        byte[] b = readBytes(in);
        if (b == null) throw new IOException("a string cannot be null");
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            throw new IOException("a string that is not UTF-8", e);
        }
    }

    public static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
        if (b == null) {
            out.writeInt(-1);
        } else {
            out.writeInt(b.length);
            out.write(b);
        }
    }

    /** Reads what {@link #writeBytes} wrote; a length longer than what is left is an error, not a huge allocation. */
    public static byte[] readBytes(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < -1) throw new IOException("byte string of length " + n);
        if (n == -1) return null;
        byte[] b = new byte[Math.min(n, 1 << 20)];
        if (n <= b.length) {
            in.readFully(b);
            return b;
        }
        // grow as the bytes actually arrive, so that a lying length costs nothing
        ByteArrayOutputStream out = new ByteArrayOutputStream(b.length);
        for (int left = n; left > 0; ) {
            int r = in.read(b, 0, Math.min(b.length, left));
            if (r < 0) throw new EOFException("byte string ends " + left + " bytes short");
            out.write(b, 0, r);
            left -= r;
        }
        return out.toByteArray();
    }
}
