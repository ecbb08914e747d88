package dev.raftkv.node;

import dev.raftkv.kv.KvLimits;
import dev.raftkv.raft.server.NoLeaderException;
import dev.raftkv.raft.server.NotAppliedException;
import dev.raftkv.raft.server.OutcomeUnknownException;

/**
 * Why a request failed, in the terms a client acts on: whether a retry is safe, useless, or may apply twice.
 * {@link #of} is the one mapping from the error types to these; HTTP ({@code HttpApi.errorReply}) and the binary
 * protocol ({@code ClientServer.errorResponse}) each only word them, so the two cannot drift apart.
 */
sealed interface Failure {
    String message();

    /** The request breaks a limit or the protocol: it will fail the same way again. */
    record Invalid(String message) implements Failure {
    }

    /** A key, value or body over its limit. */
    record TooLarge(String message) implements Failure {
    }

    /** Not applied, and this node knows no leader to name. */
    record NoLeader(String message) implements Failure {
    }

    /** Not applied (a retry is safe); {@code leaderHint} is who leads, if this node knows, else null. */
    record NotApplied(String message, String leaderHint) implements Failure {
    }

    /** It may have been, or may yet be, applied: a retry of a write must be de-duplicated. */
    record OutcomeUnknown(String message) implements Failure {
    }

    /** The request contradicts the cluster's state (a membership conflict, …) with its own HTTP status and code. */
    record Refused(int httpStatus, String code, String message) implements Failure {
    }

    /** Nothing foreseen: a bug. Each protocol logs it. */
    record Unexpected(Throwable error) implements Failure {
        @Override
        public String message() {
            return error.toString();
        }
    }

    static Failure of(Throwable error) {
        Throwable t = KvService.unwrap(error);
        if (t instanceof KvLimits.Violation v) return v.tooLarge() ? new TooLarge(v.getMessage()) : new Invalid(v.getMessage());
        // before NotApplied: a NoLeaderException is one
        if (t instanceof NoLeaderException n) return new NoLeader(n.getMessage());
        if (t instanceof NotAppliedException n) return new NotApplied(n.getMessage(), n.leaderHint());
        if (t instanceof OutcomeUnknownException) return new OutcomeUnknown(t.getMessage());
        if (t instanceof RequestException r) return new Refused(r.status(), r.code(), r.getMessage());
        return new Unexpected(t);
    }
}
