package dev.raftkv.raft;

public enum EntryType {
    /** A command for the state machine. */
    NORMAL,
    /** The empty entry a new leader appends so that it can commit (and so learn the commit index) in its own term. */
    NOOP,
    /** A membership: the whole {@link ClusterConfig} after one change, in {@link ClusterConfigCodec}'s bytes. */
    CONFIG
}
