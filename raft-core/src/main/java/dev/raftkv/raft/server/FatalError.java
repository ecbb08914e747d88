package dev.raftkv.raft.server;

/**
 * Why a node stopped itself: something failed that leaves it unable to keep its promises, so it stops
 * loudly (fail-stop) instead of carrying on half-alive. Handed to the {@link FatalErrorHandler}.
 */
public sealed interface FatalError {
    Throwable cause();

    /** One line for the log and for the operator's terminal. */
    String describe();

    /** The log writer failed to write or fsync: what it held may be gone (fsyncgate), so nothing may be acknowledged. */
    record LogStorageFailed(Throwable cause) implements FatalError {
        @Override
        public String describe() {
            return "the log writer failed: " + cause;
        }
    }

    /**
     * The state machine threw (or the JVM threw an Error, an OutOfMemoryError say) while applying the entry
     * at {@code index}. Its state is unknown from here on, and every later entry would have to be applied
     * after one that was not: the node cannot go on serving.
     */
    record ApplyFailed(long index, Throwable cause) implements FatalError {
        @Override
        public String describe() {
            return "applying entry " + index + " failed: " + cause;
        }
    }

    /** Anything else on the apply thread threw: a read, a restore, the bookkeeping around them. */
    record ApplyThreadFailed(String during, Throwable cause) implements FatalError {
        @Override
        public String describe() {
            return "the apply thread failed while " + during + ": " + cause;
        }
    }

    /** A snapshot could not be stored or restored, so the state machine and the log no longer fit together. */
    record SnapshotFailed(long index, String during, Throwable cause) implements FatalError {
        @Override
        public String describe() {
            return during + " snapshot " + index + " failed: " + cause;
        }
    }

    /** A task on the event loop threw: a bug in the node, which no longer ticks. */
    record EventLoopFailed(Throwable cause) implements FatalError {
        @Override
        public String describe() {
            return "the event loop failed: " + cause;
        }
    }
}
