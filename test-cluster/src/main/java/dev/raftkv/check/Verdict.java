package dev.raftkv.check;

/** Result of a linearizability check. */
public enum Verdict {
    LINEARIZABLE,
    NOT_LINEARIZABLE,
    /** The time budget ran out before the search could decide. */
    UNKNOWN
}
