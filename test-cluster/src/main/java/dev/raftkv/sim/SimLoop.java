package dev.raftkv.sim;

import dev.raftkv.raft.server.EventLoop;

import java.util.ArrayList;
import java.util.List;

/**
 * One node incarnation's event loop in virtual time. A crash kills it (its queued tasks vanish);
 * a pause holds its tasks, timers included, until it resumes.
 */
final class SimLoop implements EventLoop {
    private final SimWorld world;
    private boolean dead;
    private boolean paused;
    private final List<Runnable> held = new ArrayList<>();

    SimLoop(SimWorld world) {
        this.world = world;
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
        long first = 1 + world.random().nextInt((int) periodMillis);
        world.after(first, new Runnable() {
            @Override
            public void run() {
                SimLoop.this.run(() -> {
                    if (cancelled[0]) return;
                    task.run();
                    world.after(periodMillis, this);
                });
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
