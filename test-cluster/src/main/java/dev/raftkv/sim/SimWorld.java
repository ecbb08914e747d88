package dev.raftkv.sim;

import java.util.ArrayDeque;
import java.util.PriorityQueue;
import java.util.Random;

/**
 * Virtual time and the one queue of everything that will happen, run on the caller's thread.
 * Events at the same instant run in the order they were scheduled, so a seed replays a run exactly.
 */
public final class SimWorld {
    private record Event(long time, long seq, Runnable action) {
    }

    private final PriorityQueue<Event> queue = new PriorityQueue<>(
            (a, b) -> a.time != b.time ? Long.compare(a.time, b.time) : Long.compare(a.seq, b.seq));
    private final Random random;
    private final ArrayDeque<String> recentTrace = new ArrayDeque<>();
    private final int traceKeep;
    private long now;
    private long seq;
    private long traceHash = 1125899906842597L;
    private long eventsRun;

    public SimWorld(long seed, int traceKeep) {
        this.random = new Random(seed);
        this.traceKeep = traceKeep;
    }

    public long now() {
        return now;
    }

    public Random random() {
        return random;
    }

    public void at(long time, Runnable action) {
        queue.add(new Event(Math.max(time, now), seq++, action));
    }

    public void after(long delay, Runnable action) {
        at(now + delay, action);
    }

    /** Runs the next event; false if none is left. */
    public boolean step() {
        Event e = queue.poll();
        if (e == null) return false;
        now = e.time;
        eventsRun++;
        e.action.run();
        return true;
    }

    /** Runs events until virtual time passes {@code until} (events at exactly {@code until} run). */
    public void runUntil(long until, Runnable afterEachEvent) {
        while (!queue.isEmpty() && queue.peek().time <= until) {
            step();
            afterEachEvent.run();
        }
        now = Math.max(now, until);
    }

    public long eventsRun() {
        return eventsRun;
    }

    /** Records one line of what happened: kept for failure reports and folded into a hash for replay checks. */
    public void trace(String line) {
        String stamped = String.format("%8d %s", now, line);
        for (int i = 0; i < stamped.length(); i++) traceHash = traceHash * 31 + stamped.charAt(i);
        traceHash = traceHash * 31 + '\n';
        if (traceKeep <= 0) return;
        recentTrace.addLast(stamped);
        if (recentTrace.size() > traceKeep) recentTrace.removeFirst();
    }

    public long traceHash() {
        return traceHash;
    }

    public String recentTrace() {
        return String.join("\n", recentTrace);
    }
}
