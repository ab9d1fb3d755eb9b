package io.kbr.catalog.model;

/**
 * A content-addressed blob: lower-case hex SHA-256 of the plaintext and its size, and where it is stored.
 * {@code pack} is null for a stand-alone object {@code blobs/<2 hex>/<sha256>}; otherwise the blob is the
 * entry {@code [offset, offset + storedLength)} of the object {@code packs/<2 hex>/<pack>}.
 */
public record BlobReference(String sha256, long size, String pack, long offset, long storedLength) {

    /** A stand-alone blob. */
    public BlobReference(String sha256, long size) {
        this(sha256, size, null, 0, 0);
    }

    /** The object key holding the blob (as {@code io.kbr.events.BlobRefs.objectKey}). */
    public String objectKey() {
        return pack == null
                ? "blobs/" + sha256.substring(0, 2) + "/" + sha256
                : "packs/" + pack.substring(0, 2) + "/" + pack;
    }
}
