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

    /**
     * What is sent to {@code peerId} does not reach it although it is alive: drop the connection to it, if
     * there is one, and dial again. A transport without connections ignores it.
     */
    default void reconnect(String peerId) {
    }
}
