package io.kbr.blobstore;

/** An {@link ObjectStore} read found no object at the key. */
public class ObjectMissingException extends BlobStoreException {

    private final String key;

    public ObjectMissingException(String bucket, String key) {
        super("No object " + key + " in bucket " + bucket);
        this.key = key;
    }

    public String key() {
        return key;
    }
}
