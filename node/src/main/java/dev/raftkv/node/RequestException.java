package dev.raftkv.node;

/** A request that contradicts the state and will not succeed as asked: answered with {@code status} and {@code code}. */
public final class RequestException extends RuntimeException {
    private final int status;
    private final String code;

    public RequestException(int status, String code, String message) {
        super(message);
        this.status = status;
        this.code = code;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }
}
