package io.kbr.agent.backup;

import io.kbr.blobstore.BlobStore;
import io.kbr.blobstore.PutResult;
import io.kbr.documents.PropertyValues;
import io.kbr.events.AvroCodec;
import io.kbr.events.schema.AclDocument;
import io.kbr.events.schema.BlobRef;
import io.kbr.events.schema.ItemDocument;
import io.kbr.events.schema.StoreMetadataDocument;
import io.kbr.kopano.model.AclEntry;
import io.kbr.kopano.model.Bytes;
import io.kbr.kopano.model.StoreMetadata;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Uploads item documents, attachment data and store metadata to the blob store, remembering what this
 * agent already stored so that an unchanged blob costs no request at all.
 *
 * <p>Contract for callers: a reference returned by {@code put*} is final at once, but the blob may still be
 * buffered; publish an event that refers to it only after {@link #whenDurable()} or {@link #flush()}
 * (called after the put) has completed.
 */
public final class Documents {
    static final AvroCodec<ItemDocument> ITEM_CODEC = AvroCodec.of(ItemDocument.class);
    static final AvroCodec<StoreMetadataDocument> METADATA_CODEC = AvroCodec.of(StoreMetadataDocument.class);

    private final BlobStore blobs;
    private final BackupProgress progress;
    private final Set<String> known = ConcurrentHashMap.newKeySet();

    public Documents(BlobStore blobs, BackupProgress progress) {
        this.blobs = blobs;
        this.progress = progress;
    }

    /** Stores {@code data} content-addressed (put-if-absent) and returns its reference. */
    public BlobRef put(byte[] data) {
        String sha = io.kbr.blobstore.BlobId.of(data).sha256();
        progress.plainBytes.addAndGet(data.length);
        if (known.contains(sha)) {
            progress.blobsSkipped.incrementAndGet();
            return io.kbr.events.BlobRefs.standalone(sha, (long) data.length);
        }
        PutResult r = blobs.put(data);
        if (r.uploaded()) {
            progress.blobsUploaded.incrementAndGet();
            progress.storedBytesUploaded.addAndGet(r.storedSize());
        } else {
            progress.blobsSkipped.incrementAndGet();
        }
        known.add(r.id().sha256());
        return io.kbr.events.BlobRefs.standalone(r.id().sha256(), r.plainSize());
    }

    /**
     * Completes when every blob {@code put} before this call is durable in object storage, without forcing
     * anything out early. A change event may be published only then (blobs before events).
     */
    public CompletableFuture<Void> whenDurable() {
        return CompletableFuture.completedFuture(null);
    }

    /** Like {@link #whenDurable()}, but writes out whatever is still buffered now (end of a batch). */
    public CompletableFuture<Void> flush() {
        return CompletableFuture.completedFuture(null);
    }

    public BlobRef putItem(ItemDocument doc) {
        return put(ITEM_CODEC.encode(doc));
    }

    /** §9 metadata with grantees by name and folders by sourcekey, so it restores onto another server. */
    public BlobRef putMetadata(StoreMetadata md, long storeHierarchyId, Map<Long, Bytes> folderSourceKeys) {
        List<AclDocument> acls = new ArrayList<>();
        for (AclEntry a : md.acls()) {
            Bytes sk = a.hierarchyId() == storeHierarchyId ? null : folderSourceKeys.get(a.hierarchyId());
            acls.add(new AclDocument(sk == null ? null : ByteBuffer.wrap(sk.unsafeArray()), a.userName(),
                    a.externId() == null ? null : ByteBuffer.wrap(a.externId().unsafeArray()), a.type(), a.rights()));
        }
        List<java.nio.ByteBuffer> delegateIds = new ArrayList<>();
        md.delegates().entryIds().forEach(b -> delegateIds.add(ByteBuffer.wrap(b.unsafeArray())));
        StoreMetadataDocument doc = StoreMetadataDocument.newBuilder()
                .setStoreProps(PropertyValues.toAvro(md.storeProps()))
                .setAcls(acls)
                .setRulesData(md.rulesData() == null ? null : ByteBuffer.wrap(md.rulesData().unsafeArray()))
                .setDelegateNames(md.delegates().names())
                .setDelegateEntryIds(delegateIds)
                .setDelegateFlags(md.delegates().flags())
                .build();
        return put(METADATA_CODEC.encode(doc));
    }
}
