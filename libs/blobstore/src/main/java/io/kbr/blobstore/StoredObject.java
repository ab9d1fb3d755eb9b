package io.kbr.blobstore;

import java.time.Instant;

/**
 * An object of the blob store as a listing shows it: a stand-alone blob ({@code blobs/…}) or a pack
 * ({@code packs/…}), for garbage collection and scrubbing.
 */
public record StoredObject(String key, long size, Instant lastModified) {

    /** Whether {@code key} names a blob or a pack (and nothing else in the bucket). */
    public static boolean isManagedKey(String key) {
        return BlobId.fromKey(key).isPresent() || PackFormat.packIdFromKey(key).isPresent();
    }

    public boolean isPack() {
        return key.startsWith(PackFormat.KEY_PREFIX);
    }
}
