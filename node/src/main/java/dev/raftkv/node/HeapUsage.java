package dev.raftkv.node;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;

/**
 * This JVM's heap now and at its peak, for /v1/status and {@code raftkv bench}: whether a node stays within
 * its -Xmx under a load is shown by a benchmark that prints these, not by a timed test.
 *
 * @param peakUsedBytes the sum of each heap pool's peak since the JVM started: the pools peak at different
 *                      moments, so this bounds the true peak from above
 */
public record HeapUsage(long usedBytes, long maxBytes, long peakUsedBytes) {
    public static HeapUsage read() {
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) peak += pool.getPeakUsage().getUsed();
        }
        var heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        return new HeapUsage(heap.getUsed(), heap.getMax(), peak);
    }
}
