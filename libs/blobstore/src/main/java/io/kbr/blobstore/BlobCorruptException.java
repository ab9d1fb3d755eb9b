package io.kbr.blobstore;

/**
 * A stored object does not hold the blob its key promises: the decoded content hashes to something
 * else, or it cannot be decompressed or decoded at all. Thrown when a read reaches the end of the
 * blob (or fails to decode), so a caller never silently gets wrong bytes.
 */
public class BlobCorruptException extends BlobStoreException {

    private final BlobId expected;
    private final String key;
    private final String actualSha256;

    /** The content was readable but hashes to {@code actualSha256}. */
    public BlobCorruptException(String bucket, String key, BlobId expected, String actualSha256, long plainBytes) {
        super("Object " + key + " in bucket " + bucket + " is corrupt: its content (" + plainBytes
                + " bytes) has SHA-256 " + actualSha256 + ", expected " + expected.sha256());
        this.expected = expected;
        this.key = key;
        this.actualSha256 = actualSha256;
    }

    /** The content could not be decoded, so no hash of it exists. */
    public BlobCorruptException(String bucket, String key, BlobId expected, String problem, Throwable cause) {
        super("Object " + key + " in bucket " + bucket + " is corrupt: " + problem + " (expected content with SHA-256 "
                + expected.sha256() + ")", cause);
        this.expected = expected;
        this.key = key;
        this.actualSha256 = null;
    }

    public BlobId expected() {
        return expected;
    }

    public String key() {
        return key;
    }

    /** The SHA-256 of what was read, or {@code null} when the content could not be decoded. */
    public String actualSha256() {
        return actualSha256;
    }
}
