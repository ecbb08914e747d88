package dev.raftkv.client;

import java.io.IOException;

/**
 * A request got no answer because its connection failed. {@code possiblyReceived} is false only when
 * the request certainly never left this process (the connect or the write failed): a write that may
 * have reached a leader may have been applied.
 */
public final class ConnectionLostException extends IOException {
    private final boolean possiblyReceived;

    public ConnectionLostException(String message, boolean possiblyReceived, Throwable cause) {
        super(message, cause);
        this.possiblyReceived = possiblyReceived;
    }

    public boolean possiblyReceived() {
        return possiblyReceived;
    }
}
