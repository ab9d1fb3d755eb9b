package io.kbr.dump;

/** A dump, load or verification could not be done; the message names the object, table or file at fault. */
public class DumpException extends RuntimeException {

    public DumpException(String message) {
        super(message);
    }

    public DumpException(String message, Throwable cause) {
        super(message, cause);
    }
}
