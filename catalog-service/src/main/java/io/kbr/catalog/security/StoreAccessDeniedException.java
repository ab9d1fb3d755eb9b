package io.kbr.catalog.security;

/** The caller is authenticated but may not do this (403); the message says why, without revealing other users' data. */
public class StoreAccessDeniedException extends RuntimeException {
    public StoreAccessDeniedException(String message) {
        super(message);
    }
}
