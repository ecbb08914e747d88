package dev.raftkv.raft.server;

import dev.raftkv.raft.SnapshotMeta;

/** A snapshot's description and the state machine's bytes. */
public record Snapshot(SnapshotMeta meta, byte[] data) {
}
