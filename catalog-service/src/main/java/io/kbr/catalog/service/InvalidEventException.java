package io.kbr.catalog.service;

/**
 * An event that can never be applied, however often it is retried (missing or malformed fields). The
 * consumer lets it go to the dead-letter topic with this message.
 */
public class InvalidEventException extends RuntimeException {
    public InvalidEventException(String message) {
        super(message);
    }
}
