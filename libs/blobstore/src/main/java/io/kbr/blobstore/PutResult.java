package io.kbr.blobstore;

/**
 * What {@link BlobStore#put} did.
 *
 * @param id           the blob's id (SHA-256 of the plaintext)
 * @param uploaded     {@code false} when the blob was already stored, so nothing new was written
 * @param plainSize    size of the plaintext in bytes
 * @param storedSize   size of the stored object in bytes (after compression and the codec); for a
 *                     blob that already existed, the size of the existing object
 */
public record PutResult(BlobId id, boolean uploaded, long plainSize, long storedSize) {
}
