package io.kbr.restore.kopano;

/** A reason an item cannot be restored (a missing or corrupt blob, a property that cannot be mapped). */
public class RestoreFailure extends Exception {
    public RestoreFailure(String message) {
        super(message);
    }

    public RestoreFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
