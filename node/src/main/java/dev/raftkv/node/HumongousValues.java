package dev.raftkv.node;

import com.sun.management.HotSpotDiagnosticMXBean;

import java.lang.management.ManagementFactory;

/**
 * Whether the largest values a node takes are humongous objects for G1. G1 puts an array of half a heap region
 * or more in whole regions of its own, so with the 1 MiB regions G1 picks for a 512 MiB heap, every 1 MiB value
 * (in a request, a log entry, the store) takes 2 MiB of heap: the node's byte budgets, which count the values'
 * bytes, were then half of what the heap held, and {@code bench --value-size 1048576 --clients 64} at -Xmx512m ended
 * in OutOfMemoryError. {@code cluster up} starts nodes with regions large enough; a node started otherwise says so.
 */
public final class HumongousValues {
    /** What an array carries besides its elements: header and length, rounded as HotSpot lays it out. */
    private static final int ARRAY_HEADER_BYTES = 16;

    private HumongousValues() {
    }

    /** The region size {@code cluster up} gives its nodes: values below 2 MiB are ordinary objects. */
    public static final String REGION_FLAG = "-XX:G1HeapRegionSize=4m";

    /**
     * Null if an array of {@code largestBytes} is an ordinary object with regions of {@code regionBytes} (0: not G1),
     * else what to tell the operator.
     */
    static String warning(long largestBytes, long regionBytes) {
        if (regionBytes <= 0 || largestBytes + ARRAY_HEADER_BYTES < regionBytes / 2) return null;
        long needed = Long.highestOneBit(2 * (largestBytes + ARRAY_HEADER_BYTES)) * 2;
        return "values of up to " + largestBytes + " bytes are humongous objects for G1 with " + regionBytes / (1024 * 1024)
                + " MiB heap regions: each takes whole regions, up to twice its size, and the node's memory budgets"
                + " undercount them; start the JVM with -XX:G1HeapRegionSize=" + Math.max(1, needed / (1024 * 1024))
                + "m (cluster up does) or lower --max-value-bytes";
    }

    /** This JVM's G1 region size in bytes, or 0 if it does not run G1. */
    static long regionBytes() {
        try {
            HotSpotDiagnosticMXBean hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            if (!"true".equals(hotspot.getVMOption("UseG1GC").getValue())) return 0;
            return Long.parseLong(hotspot.getVMOption("G1HeapRegionSize").getValue());
        } catch (RuntimeException e) {
            return 0; // not HotSpot: nothing to say
        }
    }
}
