package io.kbr.blobstore;

/** A blob store operation failed; the message names the bucket, key and what went wrong. */
public class BlobStoreException extends RuntimeException {

    public BlobStoreException(String message) {
        super(message);
    }

    public BlobStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
