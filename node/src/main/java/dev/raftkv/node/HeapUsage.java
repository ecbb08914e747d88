package dev.raftkv.node;

import com.sun.management.GarbageCollectionNotificationInfo;

import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * This JVM's heap now and at its peak, for /v1/status and {@code raftkv bench}: whether a node stays within
 * its -Xmx under a load is shown by a benchmark that prints these, not by a timed test.
 *
 * @param peakUsedBytes the sum of each heap pool's peak since the JVM started: the pools peak at different
 *                      moments (and garbage counts), so this bounds the true peak from above and may exceed the max
 * @param peakAfterGcBytes the most the heap held right after a collection since {@link #watchCollections} (0 before
 *                      any): closer to what stayed reachable than the pools' peaks, though after a young collection
 *                      the old generation still holds its garbage until the next mixed or full one
 */
public record HeapUsage(long usedBytes, long maxBytes, long peakUsedBytes, long peakAfterGcBytes) {
    private static final AtomicLong PEAK_AFTER_GC = new AtomicLong();
    private static final AtomicBoolean WATCHING = new AtomicBoolean();

    public static HeapUsage read() {
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) peak += pool.getPeakUsage().getUsed();
        }
        var heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        return new HeapUsage(heap.getUsed(), heap.getMax(), peak, PEAK_AFTER_GC.get());
    }

    /** From now on, remembers the heap held after each collection (once per JVM; later calls do nothing). */
    static void watchCollections() {
        if (!WATCHING.compareAndSet(false, true)) return;
        Set<String> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP).map(MemoryPoolMXBean::getName).collect(Collectors.toSet());
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (!(gc instanceof NotificationEmitter emitter)) continue;
            emitter.addNotificationListener((notification, handback) -> {
                if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) return;
                var info = GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
                PEAK_AFTER_GC.accumulateAndGet(usedAfter(info.getGcInfo().getMemoryUsageAfterGc(), heapPools), Math::max);
            }, null, null);
        }
    }

    static long usedAfter(Map<String, MemoryUsage> afterGc, Set<String> heapPools) {
        long live = 0;
        for (var e : afterGc.entrySet()) if (heapPools.contains(e.getKey())) live += e.getValue().getUsed();
        return live;
    }
}
