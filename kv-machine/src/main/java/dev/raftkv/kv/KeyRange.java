package dev.raftkv.kv;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The keys from {@code start} (inclusive) up to {@code end} (exclusive; null: past the last key), compared as
 * UTF-8 bytes in unsigned order, which is code point order. A prefix is the range from the prefix to the first
 * byte string after every key that starts with it.
 */
public record KeyRange(byte[] start, byte[] end) {
    public KeyRange {
        if (start == null) throw new IllegalArgumentException("a range has a start (empty: the first key)");
        start = start.clone();
        end = end == null ? null : end.clone();
    }

    public static KeyRange between(String start, String endOrNull) {
        return new KeyRange(utf8(start), endOrNull == null ? null : utf8(endOrNull));
    }

    /** Every key that begins with {@code prefix}; the empty prefix is every key. */
    public static KeyRange prefix(String prefix) {
        byte[] start = utf8(prefix);
        return new KeyRange(start, after(start));
    }

    /** The least byte string greater than every string that starts with {@code prefix}, or null if none is. */
    private static byte[] after(byte[] prefix) {
        for (int i = prefix.length - 1; i >= 0; i--) {
            if ((prefix[i] & 0xFF) != 0xFF) {
                byte[] end = Arrays.copyOf(prefix, i + 1);
                end[i]++;
                return end;
            }
        }
        return null; // empty, or all 0xFF bytes (never UTF-8): no end
    }

    public boolean contains(byte[] key) {
        return Arrays.compareUnsigned(key, start) >= 0 && (end == null || Arrays.compareUnsigned(key, end) < 0);
    }

    /** True if no key can be in it. */
    public boolean isEmpty() {
        return end != null && Arrays.compareUnsigned(start, end) >= 0;
    }

    /** The same range starting at {@code from} instead (the next page of a scan). */
    public KeyRange from(byte[] from) {
        return new KeyRange(from, end);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KeyRange r && Arrays.equals(start, r.start) && Arrays.equals(end, r.end);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(start) + Arrays.hashCode(end);
    }

    @Override
    public String toString() {
        return "[" + new String(start, StandardCharsets.UTF_8) + ", " + (end == null ? "end" : new String(end, StandardCharsets.UTF_8)) + ")";
    }
}
