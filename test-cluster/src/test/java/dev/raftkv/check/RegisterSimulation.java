package dev.raftkv.check;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;

/**
 * Generates histories that are linearizable by construction: concurrent clients use a real atomic map, and each op
 * that takes effect does so at a random instant between its invoke and its completion.
 */
final class RegisterSimulation {

    static final String NEVER_WRITTEN = "never-written";

    /**
     * @param processes      concurrent clients
     * @param ops            ops to issue in total
     * @param keys           distinct keys
     * @param unknownPercent chance that a client never learns the outcome (the op then takes effect or not, at any
     *                       time after its invoke)
     * @param failPercent    chance that an op is rejected without taking effect
     */
    record Config(int processes, int ops, int keys, int unknownPercent, int failPercent) {
    }

    private static final class Draft {
        final int index;
        final int process;
        final String key;
        final OpKind kind;
        final long invoke;
        long complete;
        long takesEffectAt = -1; // -1: never takes effect
        Outcome outcome;
        String value;
        String expect;
        boolean swapped;

        Draft(int index, int process, String key, OpKind kind, long invoke) {
            this.index = index;
            this.process = process;
            this.key = key;
            this.kind = kind;
            this.invoke = invoke;
        }

        Op toOp() {
            return new Op(process, key, kind, value, expect, swapped, invoke, complete, outcome);
        }
    }

    private final Random random;
    private final Config config;
    private final Map<String, List<String>> written = new HashMap<>();
    private int valueCounter;

    private RegisterSimulation(long seed, Config config) {
        this.random = new Random(seed);
        this.config = config;
    }

    /** The history in a shuffled order, followed in time by one successful read per key. */
    static List<Op> generate(long seed, Config config) {
        return new RegisterSimulation(seed, config).run();
    }

    private List<Op> run() {
        long[] freeAt = new long[config.processes()];
        List<Draft> drafts = new ArrayList<>();
        for (int i = 0; i < config.ops(); i++) {
            int p = random.nextInt(config.processes());
            OpKind kind = OpKind.values()[random.nextInt(3)];
            String key = "k" + random.nextInt(config.keys());
            Draft d = new Draft(i, p, key, kind, freeAt[p] + random.nextInt(4));
            decideFate(d);
            freeAt[p] = d.complete == Op.NEVER ? d.invoke + 10 : d.complete + random.nextInt(3);
            drafts.add(d);
        }
        long end = 0;
        for (Draft d : drafts) {
            end = Math.max(end, Math.max(d.takesEffectAt, d.complete == Op.NEVER ? d.invoke : d.complete));
        }
        for (int k = 0; k < config.keys(); k++) {
            Draft read = new Draft(drafts.size(), config.processes(), "k" + k, OpKind.GET, end + 1 + k);
            read.outcome = Outcome.OK;
            read.takesEffectAt = read.invoke;
            read.complete = read.invoke;
            drafts.add(read);
        }
        applyInEffectOrder(drafts);

        List<Op> history = new ArrayList<>();
        for (Draft d : drafts) {
            history.add(d.toOp());
        }
        Collections.shuffle(history, random);
        return history;
    }

    private void decideFate(Draft d) {
        int roll = random.nextInt(100);
        if (roll < config.failPercent()) {
            d.outcome = Outcome.FAIL;
            d.complete = d.invoke + random.nextInt(10);
        } else if (roll < config.failPercent() + config.unknownPercent()) {
            d.outcome = Outcome.UNKNOWN;
            // Some callers record a timeout time, others "never"; both mean the answer never came.
            d.complete = random.nextBoolean() ? Op.NEVER : d.invoke + 10;
            if (random.nextBoolean()) {
                d.takesEffectAt = d.invoke + random.nextInt(40);
            }
        } else {
            d.outcome = Outcome.OK;
            d.takesEffectAt = d.invoke + random.nextInt(6);
            d.complete = d.takesEffectAt + random.nextInt(6);
        }
    }

    /** Runs the ops against a real map, in the order they take effect, to fill in values and results. */
    private void applyInEffectOrder(List<Draft> drafts) {
        List<Draft> order = new ArrayList<>(drafts);
        // Ties keep issue order, which keeps each client's own ops in program order.
        order.sort(Comparator.<Draft>comparingLong(d -> d.takesEffectAt).thenComparingInt(d -> d.index));
        Map<String, String> map = new HashMap<>();
        for (Draft d : order) {
            String current = map.get(d.key);
            boolean effective = d.takesEffectAt >= 0;
            switch (d.kind) {
                case PUT -> {
                    d.value = newValue(d.key);
                    if (effective) {
                        map.put(d.key, d.value);
                    }
                }
                case GET -> d.value = effective && d.outcome == Outcome.OK ? current : "ignored-garbage";
                case CAS -> {
                    d.expect = random.nextBoolean() && effective ? current : someValue(d.key);
                    d.value = newValue(d.key);
                    d.swapped = effective && Objects.equals(current, d.expect);
                    if (d.swapped) {
                        map.put(d.key, d.value);
                    }
                }
            }
        }
    }

    /** Mostly fresh values; sometimes an old one, so the checker also sees repeated values. */
    private String newValue(String key) {
        List<String> old = written.computeIfAbsent(key, k -> new ArrayList<>());
        String v = !old.isEmpty() && random.nextInt(10) == 0
                ? old.get(random.nextInt(old.size()))
                : "v" + valueCounter++;
        old.add(v);
        return v;
    }

    private String someValue(String key) {
        List<String> old = written.getOrDefault(key, List.of());
        int i = random.nextInt(old.size() + 1);
        return i == old.size() ? null : old.get(i);
    }
}
