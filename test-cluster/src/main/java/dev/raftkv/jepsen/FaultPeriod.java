package dev.raftkv.jepsen;

/**
 * One fault the nemesis had in force, from when it began to when it was healed, in nanoseconds since the
 * run started; the report shades these periods on the latency plot.
 *
 * @param kind what sort of fault ({@code kill}, {@code pause}, {@code partition} or {@code clock})
 * @param what the timeline's words for it, e.g. {@code kill -9 n2}
 */
record FaultPeriod(String kind, String what, long startNanos, long endNanos) {
}
