package io.kbr.blobstore;

/** The blob's object does not exist in the bucket. */
public class BlobNotFoundException extends BlobStoreException {

    private final BlobId id;
    private final String key;

    public BlobNotFoundException(BlobId id, String bucket, String key) {
        super("Blob " + id + " not found: no object " + key + " in bucket " + bucket);
        this.id = id;
        this.key = key;
    }

    public BlobId id() {
        return id;
    }

    /** The object key that was looked up. */
    public String key() {
        return key;
    }
}
