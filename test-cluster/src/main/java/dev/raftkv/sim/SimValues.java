package dev.raftkv.sim;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The bytes of the values clients write in one seed. Each value is a unique tag ({@code c1-7}), which the
 * history and the checkers see; in some seeds it is padded ({@code c1-7|xxxx...}) to a length of up to the
 * largest value the node's limits allow, a quarter of them to exactly that, so that log entries as large
 * as a frame can carry appear. The length follows from the tag alone, so a compare-and-set can name the
 * exact bytes it expects.
 */
final class SimValues {
    private static final byte SEPARATOR = '|';
    /** Tags only: the values of most seeds. */
    static final SimValues TAGS_ONLY = new SimValues(0);

    private final int maxBytes;

    /** @param maxBytes the longest value to write (0: no padding, the tag alone) */
    SimValues(int maxBytes) {
        this.maxBytes = maxBytes;
    }

    int maxBytes() {
        return maxBytes;
    }

    byte[] encode(String tag) {
        if (tag == null) return null;
        byte[] t = tag.getBytes(StandardCharsets.UTF_8);
        if (maxBytes <= t.length + 1) return t;
        int h = tag.hashCode() * 0x9E3779B1;
        int length = (h & 3) == 0 ? maxBytes : t.length + 1 + Math.floorMod(h >>> 2, maxBytes - t.length);
        byte[] value = new byte[length];
        Arrays.fill(value, (byte) 'x');
        System.arraycopy(t, 0, value, 0, t.length);
        value[t.length] = SEPARATOR;
        return value;
    }

    /** The tag a value was made from. */
    String tag(byte[] value) {
        if (value == null) return null;
        int end = 0;
        while (end < value.length && value[end] != SEPARATOR) end++;
        return new String(value, 0, end, StandardCharsets.UTF_8);
    }
}
