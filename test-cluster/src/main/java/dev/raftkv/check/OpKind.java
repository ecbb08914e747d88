package dev.raftkv.check;

/** The operations a client can issue against one key of the store. */
public enum OpKind {
    PUT,
    GET,
    CAS
}
