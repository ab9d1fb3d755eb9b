package io.kbr.events;

import io.kbr.events.schema.BlobRef;

/** Builds {@link BlobRef}s; the generated all-fields constructor grows with the schema. */
public final class BlobRefs {
    private BlobRefs() {
    }

    /** A stand-alone content-addressed object {@code blobs/<2 hex>/<sha256>}. */
    public static BlobRef standalone(String sha256, long size) {
        return new BlobRef(sha256, size, null, 0L, 0L);
    }

    /** An entry of pack {@code pack}, stored as {@code storedLength} bytes from {@code offset}. */
    public static BlobRef packed(String sha256, long size, String pack, long offset, long storedLength) {
        return new BlobRef(sha256, size, pack, offset, storedLength);
    }

    /** The object key that holds the blob: {@code packs/<2 hex>/<pack>} or {@code blobs/<2 hex>/<sha256>}. */
    public static String objectKey(BlobRef ref) {
        return ref.getPack() == null
                ? "blobs/" + ref.getSha256().substring(0, 2) + "/" + ref.getSha256()
                : "packs/" + ref.getPack().substring(0, 2) + "/" + ref.getPack();
    }
}
