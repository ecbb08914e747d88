package dev.raftkv.raft.server;

import dev.raftkv.raft.Message;

/**
 * Sends messages to peers; best effort, no ordering or delivery promise (Raft tolerates loss).
 * Inbound messages go to {@link RaftServer#receive} and {@link RaftServer#receiveSnapshot}.
 */
public interface Transport {
    void send(Message message);

    /** An InstallSnapshot travels with the snapshot's bytes. */
    void sendSnapshot(Message.InstallSnapshot message, Snapshot snapshot);
}
