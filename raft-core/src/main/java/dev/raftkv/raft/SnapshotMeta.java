package dev.raftkv.raft;

/** Describes a snapshot: it replaces every entry up to and including {@code index}. The bytes live in a snapshot store. */
public record SnapshotMeta(long index, long term, ClusterConfig config) {
}
