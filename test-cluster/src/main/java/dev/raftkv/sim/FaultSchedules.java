package dev.raftkv.sim;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Random nemesis schedules, by swarm testing (Groce et al., ISSTA 2012): each seed switches on a
 * random subset of the fault kinds and draws only from those, so some seeds hammer one kind of fault
 * hard instead of every seed diluting all of them. Recoveries (heal, restart, resume) are always on.
 */
public final class FaultSchedules {
    private enum Kind { ISOLATE, ISOLATE_LEADERS, PARTITION, BRIDGE, CRASH, CRASH_RESTART, CRASH_NEXT_LEADER,
        KILL_LEADERS, KILL_VOTERS, FLAP, PAUSE, TRANSFER }

    private enum Recovery { HEAL, RESTART_ALL, RESUME_ALL }

    private FaultSchedules() {
    }

    public static List<Fault.At> random(Random random, int nodes, long durationMillis) {
        List<Kind> enabled = new ArrayList<>();
        for (Kind k : Kind.values()) {
            if (random.nextBoolean()) enabled.add(k);
        }
        if (enabled.isEmpty()) enabled.add(Kind.values()[random.nextInt(Kind.values().length)]);
        List<Fault.At> out = new ArrayList<>();
        long t = 300; // give the first election a chance
        while (true) {
            t += 50 + random.nextInt(600);
            if (t >= durationMillis) break;
            Fault f = random.nextInt(3) == 0
                    ? recovery(Recovery.values()[random.nextInt(Recovery.values().length)])
                    : fault(enabled.get(random.nextInt(enabled.size())), random, nodes);
            out.add(new Fault.At(t, f));
        }
        // drawn last, so that the other faults of a seed stay what they were before membership churn existed
        if (random.nextInt(3) == 0) {
            long at = 300 + random.nextInt((int) Math.max(1, durationMillis / 2));
            if (at < durationMillis) {
                out.add(new Fault.At(at, new Fault.ChurnMembership(500 + random.nextInt((int) Math.max(1, durationMillis - at)))));
                out.sort(java.util.Comparator.comparingLong(Fault.At::millis));
            }
        }
        // drawn after churn for the same reason: disks that lie about fsync, in a third of the seeds
        if (random.nextInt(3) == 0) {
            for (int i = 1 + random.nextInt(4); i > 0; i--) {
                long at = 300 + random.nextInt((int) Math.max(1, durationMillis - 300));
                int who = random.nextInt(3) == 0 ? Fault.LEADER : random.nextInt(nodes);
                out.add(new Fault.At(at, new Fault.LoseSyncedTail(who, random.nextInt(80))));
            }
            out.sort(java.util.Comparator.comparingLong(Fault.At::millis));
        }
        // drawn after those for the same reason: restarts behind connections that swallow everything, in a quarter
        if (random.nextInt(4) == 0) {
            for (int i = 1 + random.nextInt(2); i > 0; i--) {
                long at = 300 + random.nextInt((int) Math.max(1, durationMillis - 300));
                int who = random.nextInt(3) == 0 ? Fault.LEADER : random.nextInt(nodes);
                out.add(new Fault.At(at, new Fault.RestartBehindStaleConnections(who, random.nextInt(60))));
            }
            out.sort(java.util.Comparator.comparingLong(Fault.At::millis));
        }
        return out;
    }

    private static Fault recovery(Recovery r) {
        return switch (r) {
            case HEAL -> new Fault.Heal();
            case RESTART_ALL -> new Fault.RestartAll();
            case RESUME_ALL -> new Fault.ResumeAll();
        };
    }

    private static Fault fault(Kind kind, Random random, int nodes) {
        int who = random.nextInt(3) == 0 ? Fault.LEADER : random.nextInt(nodes);
        return switch (kind) {
            case ISOLATE -> new Fault.Isolate(who);
            case ISOLATE_LEADERS -> new Fault.IsolateLeaders(300 + random.nextInt(2000));
            case PARTITION -> new Fault.Partition(List.of(minority(random, nodes)));
            case BRIDGE -> new Fault.Bridge(random.nextInt(nodes));
            case CRASH -> new Fault.Crash(who);
            case CRASH_RESTART -> new Fault.CrashRestart(who, random.nextInt(60));
            case CRASH_NEXT_LEADER -> new Fault.CrashNextLeader(random.nextInt(25), random.nextInt(80));
            case KILL_LEADERS -> new Fault.KillLeaders(300 + random.nextInt(1500));
            case KILL_VOTERS -> new Fault.KillVoters(300 + random.nextInt(1500));
            case FLAP -> new Fault.Flap(random.nextBoolean() ? Fault.LEADER : who, 100 + random.nextInt(500));
            case PAUSE -> new Fault.Pause(who);
            case TRANSFER -> new Fault.Transfer(random.nextInt(4) > 0);
        };
    }

    private static List<Integer> minority(Random random, int nodes) {
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < nodes; i++) all.add(i);
        Collections.shuffle(all, random);
        return List.copyOf(all.subList(0, 1 + random.nextInt(nodes / 2)));
    }
}
