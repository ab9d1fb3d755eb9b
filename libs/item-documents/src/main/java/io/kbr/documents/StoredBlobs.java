package io.kbr.documents;

import io.kbr.blobstore.BlobId;
import io.kbr.blobstore.BlobStore;
import io.kbr.blobstore.PackedBlob;
import io.kbr.events.AvroCodec;
import io.kbr.events.schema.BlobRef;
import io.kbr.events.schema.ItemDocument;
import io.kbr.events.schema.StoreMetadataDocument;

/**
 * Reads what a {@link BlobRef} points at — a stand-alone blob or a pack entry — verified against its hash
 * by the blob store (a mismatch is a {@code BlobCorruptException}, never data).
 */
public final class StoredBlobs {
    private static final AvroCodec<ItemDocument> ITEMS = AvroCodec.of(ItemDocument.class);
    private static final AvroCodec<StoreMetadataDocument> METADATA = AvroCodec.of(StoreMetadataDocument.class);

    private StoredBlobs() {
    }

    public static byte[] read(BlobStore store, BlobRef ref) {
        BlobId id = BlobId.parse(ref.getSha256());
        if (ref.getPack() == null) {
            return store.get(id);
        }
        return store.get(new PackedBlob(id, ref.getSize(), ref.getPack(), ref.getOffset(), Math.toIntExact(ref.getStoredLength())));
    }

    public static ItemDocument item(BlobStore store, BlobRef ref) {
        return ITEMS.decode(read(store, ref));
    }

    public static StoreMetadataDocument metadata(BlobStore store, BlobRef ref) {
        return METADATA.decode(read(store, ref));
    }
}
