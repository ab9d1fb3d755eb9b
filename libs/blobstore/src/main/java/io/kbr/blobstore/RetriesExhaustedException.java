package io.kbr.blobstore;

import java.io.IOException;

/** An S3 request failed transiently on every attempt; the cause is the last failure. */
final class RetriesExhaustedException extends IOException {

    private final int attempts;

    RetriesExhaustedException(int attempts, IOException lastFailure) {
        super("failed " + attempts + " times, giving up; last failure: " + describe(lastFailure), lastFailure);
        this.attempts = attempts;
    }

    int attempts() {
        return attempts;
    }

    static String describe(Throwable failure) {
        String message = failure.getMessage();
        return failure.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }
}
