package dev.raftkv.sim;

import dev.raftkv.check.Op;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Every client operation of a run, and the values written per key (so a CAS can expect a real one). */
final class SimHistory {
    private final List<Op> ops = new ArrayList<>();
    private final Map<String, List<String>> valuesByKey = new HashMap<>();
    private int processes;

    int newProcess() {
        return processes++;
    }

    void add(Op op) {
        ops.add(op);
    }

    void written(String key, String value) {
        valuesByKey.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
    }

    /** One of the last few values written to {@code key}, or null if none was. */
    String someValueOf(String key, Random random) {
        List<String> values = valuesByKey.get(key);
        if (values == null || values.isEmpty()) return null;
        int recent = Math.min(values.size(), 3);
        return values.get(values.size() - 1 - random.nextInt(recent));
    }

    List<Op> ops() {
        return ops;
    }
}
