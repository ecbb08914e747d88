package dev.raftkv.jepsen;

import dev.raftkv.check.Op;

/**
 * One recorded operation with what the checkers do not need but a person reading the report does: the
 * node it was sent to, and for a read its consistency ({@code linearizable}, {@code lease} or {@code local}; null for writes).
 */
public record ClientOp(Op op, String node, String consistency) {
}
