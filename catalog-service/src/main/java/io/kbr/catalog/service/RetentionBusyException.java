package io.kbr.catalog.service;

/** A purge or garbage collection is already running in this instance. */
public class RetentionBusyException extends RuntimeException {
    public RetentionBusyException(String message) {
        super(message);
    }
}
