package io.kbr.blobstore;

import java.io.IOException;

/** Reading an object's bytes from S3 failed for good (after resuming as often as allowed). */
final class ObjectReadException extends IOException {

    ObjectReadException(String message, Throwable cause) {
        super(message, cause);
    }
}
