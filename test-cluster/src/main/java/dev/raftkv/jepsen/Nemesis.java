package dev.raftkv.jepsen;

import dev.raftkv.harness.ProcessCluster;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * Breaks a real cluster on a seeded schedule: {@code kill} (kill -9 a node, the leader or a majority,
 * boot them again later), {@code pause} (SIGSTOP, then SIGCONT, the leader included for longer than
 * an election timeout), {@code partition} (a node or a minority cut off by the link proxies) and
 * {@code clock} (a node's clock, or every node's, made to run fast or slow through the nodes' test-only
 * clock control, within the drift that lease reads tolerate). {@link #healAll} ends every fault.
 */
final class Nemesis implements Runnable {
    enum Kind { KILL, PAUSE, PARTITION, CLOCK }

    /**
     * The clock skew the nemesis applies, as a fraction of real time: the nodes' default
     * {@code RaftConfig.maxClockDriftPercent}, the drift their lease reads are built to tolerate.
     */
    static final double CLOCK_DRIFT = dev.raftkv.raft.RaftConfig.DEFAULT_MAX_CLOCK_DRIFT_PERCENT / 100.0;

    private final ProcessCluster cluster;
    private final List<Kind> kinds;
    private final Random random;
    private final LongSupplier clock;
    private final AtomicBoolean running;
    private final String[] nodeArgs;
    private final List<String> timeline = new ArrayList<>();
    private final List<FaultPeriod> periods = new ArrayList<>();
    /** When each node was started again after a kill: a node's local state starts over from its disk then. */
    private final Map<String, List<Long>> restarts = new HashMap<>();
    /** Faults in force, keyed like "kill n2", with what they are called and when they began. */
    private final Map<String, FaultPeriod> open = new LinkedHashMap<>();
    private final Set<String> killed = new HashSet<>();
    private final Set<String> paused = new HashSet<>();
    /** Nodes whose clock runs at another rate than real time. */
    private final Set<String> skewed = new HashSet<>();
    private boolean partitioned;
    private int faults;
    /**
     * Every kill takes out the whole cluster at once (the no-fsync control: a power cut of every node is
     * what makes writes acknowledged before they were durable vanish for sure).
     */
    private final boolean majorityKills;

    Nemesis(ProcessCluster cluster, List<Kind> kinds, long seed, LongSupplier clock, AtomicBoolean running, String[] nodeArgs,
            boolean majorityKills) {
        this.majorityKills = majorityKills;
        this.cluster = cluster;
        this.kinds = List.copyOf(kinds);
        this.random = new Random(seed);
        this.clock = clock;
        this.running = running;
        this.nodeArgs = nodeArgs;
    }

    @Override
    public void run() {
        try {
            while (running.get() && !kinds.isEmpty()) {
                Thread.sleep(1_000 + random.nextInt(2_000)); // the schedule's pace, not a wait for a condition
                if (!running.get()) break;
                healSome();
                Kind kind = kinds.get(random.nextInt(kinds.size()));
                String target = random.nextBoolean() && cluster.leader() != null ? cluster.leader()
                        : cluster.members().get(random.nextInt(cluster.members().size())).id;
                if (killed.contains(target) || paused.contains(target)) continue;
                if (kind == Kind.PARTITION) {
                    if (partitioned) continue;
                    partition(target);
                } else if (kind == Kind.CLOCK) {
                    skewClocks(target);
                } else if (kind == Kind.KILL && (majorityKills || random.nextInt(4) == 0)) {
                    killMajority(target);
                } else if (kind == Kind.KILL) {
                    kill(target);
                    note("kill -9 " + target);
                } else {
                    signal(target, "STOP");
                    paused.add(target);
                    note("pause " + target);
                    begin("pause " + target, "pause", "pause " + target);
                }
                faults++;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            note("nemesis failed: " + e);
        }
    }

    /** Cuts {@code target} (often the leader) off alone, or with a minority, from the rest. */
    private void partition(String target) {
        Set<String> side = new HashSet<>();
        side.add(target);
        List<ProcessCluster.Member> all = cluster.members();
        int extra = random.nextInt(Math.max(1, all.size() / 2)); // stays a minority
        for (ProcessCluster.Member m : all) {
            if (side.size() > extra) break;
            if (!side.contains(m.id)) side.add(m.id);
        }
        cluster.partition(side);
        partitioned = true;
        note("partition " + side + " from the rest");
        begin("partition", "partition", "partition " + side + " from the rest");
    }

    /**
     * Skews {@code target}'s clock (often the leader's), and half the time every other running node's the
     * other way: a slow leader among fast followers is the worst case for its lease. Rates stay within
     * ±{@link #CLOCK_DRIFT} of real time, often right at the edge.
     */
    private void skewClocks(String target) {
        boolean slowTarget = random.nextBoolean();
        Map<String, Double> rates = new LinkedHashMap<>();
        rates.put(target, skewedRate(slowTarget));
        if (random.nextBoolean()) {
            for (ProcessCluster.Member m : cluster.members()) {
                if (!m.id.equals(target)) rates.put(m.id, skewedRate(!slowTarget));
            }
        }
        for (Map.Entry<String, Double> e : rates.entrySet()) {
            String id = e.getKey();
            if (killed.contains(id) || paused.contains(id) || !setClockRate(id, e.getValue())) continue;
            skewed.add(id);
            end("clock " + id);
            String what = String.format(Locale.ROOT, "clock %s runs at %.3fx", id, e.getValue());
            note(what);
            begin("clock " + id, "clock", what);
        }
    }

    private double skewedRate(boolean slow) {
        double amount = random.nextBoolean() ? CLOCK_DRIFT : CLOCK_DRIFT * random.nextDouble();
        return slow ? 1 - amount : 1 + amount;
    }

    /** Asks the node (started with --unsafe-clock-control) to run its clock at {@code rate}; false if it did not answer. */
    private boolean setClockRate(String id, double rate) {
        HttpResponse<String> r = cluster.call(id, "POST", "/v1/unsafe/clock", String.format(Locale.ROOT, "{\"rate\":%.4f}", rate),
                java.time.Duration.ofSeconds(3));
        return r != null && r.statusCode() == 200;
    }

    private void restoreClock(String id) {
        if (setClockRate(id, 1.0)) {
            skewed.remove(id);
            note("clock " + id + " back to real time");
            end("clock " + id);
        }
    }

    private void kill(String id) throws InterruptedException {
        cluster.kill9(id);
        killed.add(id);
        if (skewed.remove(id)) end("clock " + id); // a new process starts with a true clock
        begin("kill " + id, "kill", "kill -9 " + id);
    }

    /** kill -9 a majority at once, {@code first} (often the leader) among them. */
    private void killMajority(String first) throws InterruptedException {
        List<String> victims = new ArrayList<>();
        victims.add(first);
        int count = majorityKills ? cluster.members().size() : cluster.members().size() / 2 + 1;
        for (ProcessCluster.Member m : cluster.members()) {
            if (victims.size() >= count) break;
            if (!victims.contains(m.id) && !killed.contains(m.id) && !paused.contains(m.id)) victims.add(m.id);
        }
        for (String id : victims) kill(id);
        note("kill -9 " + (victims.size() == cluster.members().size() ? "every node: " : "a majority: ") + victims);
    }

    /** Ends about half of the faults in force, so that faults overlap but do not pile up. */
    private void healSome() throws IOException {
        for (String id : List.copyOf(killed)) {
            if (random.nextBoolean()) restart(id);
        }
        for (String id : List.copyOf(paused)) {
            if (random.nextBoolean()) resume(id);
        }
        if (partitioned && random.nextBoolean()) {
            cluster.heal();
            partitioned = false;
            note("heal the partition");
            end("partition");
        }
        for (String id : List.copyOf(skewed)) {
            if (!paused.contains(id) && random.nextBoolean()) restoreClock(id);
        }
    }

    synchronized void healAll() throws IOException {
        cluster.heal();
        if (partitioned) end("partition");
        partitioned = false;
        for (String id : List.copyOf(paused)) resume(id);
        for (String id : List.copyOf(killed)) restart(id);
        for (String id : List.copyOf(skewed)) restoreClock(id);
        for (String id : List.copyOf(skewed)) end("clock " + id); // did not answer; its clock is wrong until it restarts
        note("heal all");
    }

    private void restart(String id) throws IOException {
        cluster.start(id, nodeArgs);
        restarts.computeIfAbsent(id, k -> new ArrayList<>()).add(clock.getAsLong());
        killed.remove(id);
        note("restart " + id);
        end("kill " + id);
    }

    private void resume(String id) throws IOException {
        signal(id, "CONT");
        paused.remove(id);
        note("resume " + id);
        end("pause " + id);
    }

    private void signal(String id, String signal) throws IOException {
        long pid = cluster.member(id).pid();
        try {
            new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start().waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private synchronized void note(String what) {
        timeline.add(String.format(Locale.ROOT, "%8.3f s  %s", clock.getAsLong() / 1e9, what));
    }

    /** A fault begins: an open period named {@code key} until {@link #end}. */
    private synchronized void begin(String key, String kind, String what) {
        open.put(key, new FaultPeriod(kind, what, clock.getAsLong(), -1));
    }

    private synchronized void end(String key) {
        FaultPeriod p = open.remove(key);
        if (p != null) periods.add(new FaultPeriod(p.kind(), p.what(), p.startNanos(), clock.getAsLong()));
    }

    synchronized List<String> timeline() {
        return List.copyOf(timeline);
    }

    /** Every fault period, those still in force ending now. */
    synchronized Map<String, List<Long>> restarts() {
        Map<String, List<Long>> copy = new HashMap<>();
        restarts.forEach((id, times) -> copy.put(id, List.copyOf(times)));
        return copy;
    }

    synchronized List<FaultPeriod> periods() {
        List<FaultPeriod> all = new ArrayList<>(periods);
        long now = clock.getAsLong();
        for (FaultPeriod p : open.values()) all.add(new FaultPeriod(p.kind(), p.what(), p.startNanos(), now));
        return all;
    }

    int faults() {
        return faults;
    }
}
