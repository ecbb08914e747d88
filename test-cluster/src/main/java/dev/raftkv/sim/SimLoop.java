package dev.raftkv.sim;

import dev.raftkv.raft.server.EventLoop;

import java.util.ArrayList;
import java.util.List;

/**
 * One node incarnation's event loop in virtual time. A crash kills it (its queued tasks vanish);
 * a pause holds its tasks until it resumes.
 *
 * <p>Timers follow this machine's clock, which runs at {@code clockRate} times real (virtual) time. A
 * paused loop's timer keeps firing, as a real timer does during a GC pause or SIGSTOP: each missed tick
 * is held in order with everything else that arrived, so on resume the loop first catches up on the
 * time it lost (as a fixed-rate {@code ScheduledExecutorService} does) and only then sees later input.
 */
final class SimLoop implements EventLoop {
    private final SimWorld world;
    private final double clockRate;
    private boolean dead;
    private boolean paused;
    private final List<Runnable> held = new ArrayList<>();

    SimLoop(SimWorld world, double clockRate) {
        this.world = world;
        this.clockRate = clockRate;
    }

    @Override
    public void execute(Runnable task) {
        world.after(0, () -> run(task));
    }

    private void run(Runnable task) {
        if (dead) return;
        if (paused) {
            held.add(task);
            return;
        }
        task.run();
    }

    @Override
    public Cancellable every(long periodMillis, Runnable task) {
        boolean[] cancelled = {false};
        // a random phase, so that nodes do not tick in lockstep
        long first = world.now() + 1 + world.random().nextInt((int) periodMillis);
        world.at(first, new Runnable() {
            private long fired;

            @Override
            public void run() {
                if (dead || cancelled[0]) return;
                SimLoop.this.run(() -> {
                    if (!cancelled[0]) task.run();
                });
                fired++;
                // the k-th firing at first + k * period / rate, rounded: no drift beyond the rate itself
                world.at(first + Math.round(fired * periodMillis / clockRate), this);
            }
        });
        return () -> cancelled[0] = true;
    }

    @Override
    public long nowMillis() {
        return world.now();
    }

    void kill() {
        dead = true;
        held.clear();
    }

    void pause() {
        paused = true;
    }

    void resume() {
        paused = false;
        List<Runnable> tasks = new ArrayList<>(held);
        held.clear();
        for (Runnable t : tasks) execute(t);
    }

    boolean isPaused() {
        return paused;
    }
}
