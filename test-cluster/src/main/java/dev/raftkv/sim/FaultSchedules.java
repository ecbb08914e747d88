package dev.raftkv.sim;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/** Random nemesis schedules: a fault every few hundred virtual milliseconds, ending healed. */
public final class FaultSchedules {
    private FaultSchedules() {
    }

    public static List<Fault.At> random(Random random, int nodes, long durationMillis) {
        List<Fault.At> out = new ArrayList<>();
        long t = 300; // give the first election a chance
        while (true) {
            t += 50 + random.nextInt(600);
            if (t >= durationMillis) break;
            out.add(new Fault.At(t, pick(random, nodes)));
        }
        return out;
    }

    private static Fault pick(Random random, int nodes) {
        int who = random.nextInt(3) == 0 ? Fault.LEADER : random.nextInt(nodes);
        int roll = random.nextInt(100);
        if (roll < 8) return new Fault.Isolate(who);
        if (roll < 24) return new Fault.IsolateLeaders(300 + random.nextInt(2000));
        if (roll < 30) return new Fault.Partition(List.of(minority(random, nodes)));
        if (roll < 34) return new Fault.Bridge(random.nextInt(nodes));
        if (roll < 46) return new Fault.Heal();
        if (roll < 52) return new Fault.Crash(who);
        if (roll < 60) return new Fault.CrashRestart(who, random.nextInt(60));
        if (roll < 64) return new Fault.CrashNextLeader(random.nextInt(25), random.nextInt(80));
        if (roll < 72) return new Fault.KillLeaders(300 + random.nextInt(1500));
        if (roll < 76) return new Fault.Flap(random.nextInt(nodes), 100 + random.nextInt(500));
        if (roll < 82) return new Fault.RestartAll();
        if (roll < 91) return new Fault.Pause(who);
        return new Fault.ResumeAll();
    }

    private static List<Integer> minority(Random random, int nodes) {
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < nodes; i++) all.add(i);
        Collections.shuffle(all, random);
        return List.copyOf(all.subList(0, 1 + random.nextInt(nodes / 2)));
    }
}
