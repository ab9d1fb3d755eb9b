package io.kbr.agent.backup;

/** A backup run that could not complete; the message says which store/object and why. Nothing is checkpointed. */
public class BackupException extends Exception {
    public BackupException(String message, Throwable cause) {
        super(message, cause);
    }
}
