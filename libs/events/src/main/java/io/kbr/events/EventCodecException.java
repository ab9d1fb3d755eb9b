package io.kbr.events;

/** A payload that cannot be encoded or decoded; for consumers, a poison message that belongs in the dead-letter topic. */
public class EventCodecException extends RuntimeException {
    public EventCodecException(String message, Throwable cause) {
        super(message, cause);
    }

    public EventCodecException(String message) {
        super(message);
    }
}
