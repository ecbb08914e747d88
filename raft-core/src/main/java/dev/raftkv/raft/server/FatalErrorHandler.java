package dev.raftkv.raft.server;

/**
 * Told once when a node stopped itself on a {@link FatalError}. The node's process exits (a node that
 * stopped serving but kept its ports would look alive to its peers and its operator); tests pass the
 * in-memory twin, {@link RecordingFatalErrorHandler}, and look at what it was told. Called on whichever
 * thread hit the error, after the server has been told to stop.
 */
@FunctionalInterface
public interface FatalErrorHandler {
    void onFatal(FatalError error);

    /** Nothing beyond the log line and {@link RaftServer#failure()}; for embedders that watch that future. */
    FatalErrorHandler NONE = error -> {
    };
}
