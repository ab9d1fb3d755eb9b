package io.kbr.catalog.service;

/**
 * Applying stopped because the thread was interrupted (the service is shutting down) while waiting to
 * retry. The events stay unacknowledged, so Kafka delivers them again after the restart.
 */
public class ApplyInterruptedException extends RuntimeException {
    public ApplyInterruptedException(String message, Throwable cause) {
        super(message, cause);
    }
}
