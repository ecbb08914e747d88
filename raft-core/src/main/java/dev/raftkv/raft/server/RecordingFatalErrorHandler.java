package dev.raftkv.raft.server;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/** The in-memory twin of a handler that exits the process: it remembers what it was told, for tests. */
public final class RecordingFatalErrorHandler implements FatalErrorHandler {
    private final List<FatalError> errors = new CopyOnWriteArrayList<>();
    private final CompletableFuture<FatalError> first = new CompletableFuture<>();

    @Override
    public void onFatal(FatalError error) {
        errors.add(error);
        first.complete(error);
    }

    /** Completes with the first error the handler was told of. */
    public CompletableFuture<FatalError> first() {
        return first;
    }

    public List<FatalError> errors() {
        return List.copyOf(errors);
    }
}
