package dev.raftkv.check;

/** What the client learned about an operation. */
public enum Outcome {
    /** The operation completed and its result is known. */
    OK,
    /** The operation definitely did not take effect. */
    FAIL,
    /** The operation may or may not have taken effect, at any time after its invocation (e.g. a timeout). */
    UNKNOWN
}
