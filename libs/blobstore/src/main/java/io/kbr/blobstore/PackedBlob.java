package io.kbr.blobstore;

import java.util.Objects;

/**
 * Where a small blob lives: entry {@code [offset, offset + storedLength)} of pack {@code pack}
 * (object {@code packs/<2 hex>/<pack>}). The entry is one zstd frame of the plaintext, passed through
 * the store's codec; {@code id} is the SHA-256 of the plaintext and is checked on every read.
 */
public record PackedBlob(BlobId id, long plainSize, String pack, long offset, int storedLength) {

    public PackedBlob {
        Objects.requireNonNull(id, "id");
        PackFormat.checkPackId(pack);
        if (offset < 0 || storedLength < 0) {
            throw new IllegalArgumentException("negative offset or length in pack " + pack);
        }
    }

    /** The key of the pack object. */
    public String key() {
        return PackFormat.key(pack);
    }
}
