package dev.raftkv.sim;

import java.util.Arrays;
import java.util.Random;

/**
 * One seed's clocks: the drift every node is configured to tolerate ({@code RaftConfig.maxClockDriftPercent},
 * which sets the lease length), and each node's actual clock rate, always within that tolerance: the
 * model is honest, so a lease read that goes wrong here is a real bug. Drawn per seed, swarm style:
 * <ul>
 *   <li>a third tolerate 90%, which leaves no room for a lease: lease reads fall back to ReadIndex, and a
 *       rebooted node votes at once (the lease's boot guard is off), as in a cluster without leases;</li>
 *   <li>a third tolerate 10% (the default) with perfect clocks, rates drawn within ±10%, or every
 *       node at one edge or the other, the worst case for a slow leader's lease;</li>
 *   <li>a sixth tolerate 0% with perfect clocks: the longest lease, only tick rounding to absorb;</li>
 *   <li>a sixth tolerate 25%, with rates at the edges or within them.</li>
 * </ul>
 */
record ClockDrift(int tolerancePercent, double[] rates) {
    static ClockDrift draw(Random r, int nodes) {
        int roll = r.nextInt(6);
        int tolerance = roll < 2 ? 90 : roll < 4 ? 10 : roll == 4 ? 0 : 25;
        double actual = Math.min(tolerance, 10) / 100.0;
        if (tolerance == 25) actual = 0.25;
        int shape = r.nextInt(3); // perfect, anywhere within the bound, at its edges
        double[] rates = new double[nodes];
        for (int i = 0; i < nodes; i++) {
            rates[i] = switch (actual == 0 ? 0 : shape) {
                case 0 -> 1.0;
                case 1 -> 1 - actual + 2 * actual * r.nextDouble();
                default -> r.nextBoolean() ? 1 - actual : 1 + actual;
            };
        }
        return new ClockDrift(tolerance, rates);
    }

    @Override
    public String toString() {
        return "tolerance " + tolerancePercent + "%, rates " + Arrays.toString(Arrays.stream(rates)
                .map(x -> Math.round(x * 1000) / 1000.0).toArray());
    }
}
