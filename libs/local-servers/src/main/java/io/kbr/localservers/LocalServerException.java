package io.kbr.localservers;

/**
 * A local server could not be prepared, started or stopped. The message names the server, its
 * port and work directory where known, and ends with the tail of the server's log, so that the
 * reader can act without digging through files.
 */
public class LocalServerException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public LocalServerException(String message) {
        super(message);
    }

    public LocalServerException(String message, Throwable cause) {
        super(message, cause);
    }
}
