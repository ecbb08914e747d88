package dev.raftkv.jepsen;

import dev.raftkv.harness.ProcessCluster;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * Breaks a real cluster on a seeded schedule: {@code kill} (kill -9 a node, the leader or a majority,
 * boot them again later), {@code pause} (SIGSTOP, then SIGCONT, the leader included for longer than
 * an election timeout) and {@code partition} (a node or a minority cut off by the link proxies).
 * {@link #healAll} ends every fault.
 */
final class Nemesis implements Runnable {
    enum Kind { KILL, PAUSE, PARTITION }

    private final ProcessCluster cluster;
    private final List<Kind> kinds;
    private final Random random;
    private final LongSupplier clock;
    private final AtomicBoolean running;
    private final String[] nodeArgs;
    private final List<String> timeline = new ArrayList<>();
    private final Set<String> killed = new HashSet<>();
    private final Set<String> paused = new HashSet<>();
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
                } else if (kind == Kind.KILL && (majorityKills || random.nextInt(4) == 0)) {
                    killMajority(target);
                } else if (kind == Kind.KILL) {
                    cluster.kill9(target);
                    killed.add(target);
                    note("kill -9 " + target);
                } else {
                    signal(target, "STOP");
                    paused.add(target);
                    note("pause " + target);
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
        for (String id : victims) {
            cluster.kill9(id);
            killed.add(id);
        }
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
        }
    }

    synchronized void healAll() throws IOException {
        cluster.heal();
        partitioned = false;
        for (String id : List.copyOf(paused)) resume(id);
        for (String id : List.copyOf(killed)) restart(id);
        note("heal all");
    }

    private void restart(String id) throws IOException {
        cluster.start(id, nodeArgs);
        killed.remove(id);
        note("restart " + id);
    }

    private void resume(String id) throws IOException {
        signal(id, "CONT");
        paused.remove(id);
        note("resume " + id);
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
        timeline.add(String.format("%8.3f s  %s", clock.getAsLong() / 1e9, what));
    }

    synchronized List<String> timeline() {
        return List.copyOf(timeline);
    }

    int faults() {
        return faults;
    }
}
