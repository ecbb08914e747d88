package dev.raftkv.client;

/** The node refused this client's token (or the lack of one): asking again with the same token will not help. */
public final class UnauthorizedException extends RuntimeException {
    public UnauthorizedException(String message) {
        super(message);
    }
}
