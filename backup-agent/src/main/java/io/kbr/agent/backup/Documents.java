package io.kbr.agent.backup;

import io.kbr.blobstore.BlobStore;
import io.kbr.blobstore.PackedBlob;
import io.kbr.blobstore.Packer;
import io.kbr.blobstore.PutResult;
import io.kbr.events.BlobRefs;
import io.kbr.documents.PropertyValues;
import io.kbr.documents.SingleObjectEncoder;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Uploads item documents, attachment data and store metadata to the blob store, remembering what this
 * agent already stored so that an unchanged blob costs no request at all.
 *
 * <p>Item and metadata documents go into packs ({@link Packer}); attachment data stays in stand-alone
 * content-addressed blobs, deduplicated across items, stores and agents. On first use the agent reads the
 * indexes of packs written in the last {@link #REUSE_WINDOW}, so a full sync after a restart does not store
 * the same documents again.
 *
 * <p>Garbage collection safety: this agent refers to an already-stored blob or pack entry without uploading
 * it again only while that object is younger than {@link #REUSE_WINDOW} (counted from when it was written or
 * confirmed by a HEAD). The catalog's GC deletes only unreferenced objects older than its grace period, which
 * must be longer (default 24 h), so a reused reference can never point at an object GC just deleted.
 *
 * <p>Contract for callers: a reference returned by {@code put*} is final at once, but the blob may still be
 * buffered; publish an event that refers to it only after {@link #whenDurable()} or {@link #flush()}
 * (called after the put) has completed.
 */
public final class Documents implements AutoCloseable {
    /** Default pack size and delay when the caller does not choose (tests, benchmarks). */
    public static final int DEFAULT_PACK_BYTES = 8 * 1024 * 1024;
    public static final java.time.Duration DEFAULT_PACK_DELAY = java.time.Duration.ofMillis(200);

    static final AvroCodec<ItemDocument> ITEM_CODEC = AvroCodec.of(ItemDocument.class);
    static final AvroCodec<StoreMetadataDocument> METADATA_CODEC = AvroCodec.of(StoreMetadataDocument.class);
    /** The same bytes as {@link #ITEM_CODEC}, with a reused buffered encoder per thread (Avro's was ~19 % of a backup's CPU). */
    private static final SingleObjectEncoder<ItemDocument> ITEM_ENCODER = new SingleObjectEncoder<>(ItemDocument.class);

    private final BlobStore blobs;
    private final BackupProgress progress;
    private final Packer packer;
    /** How long a known blob or pack entry may be referred to without storing it again; below the GC grace. */
    public static final java.time.Duration REUSE_WINDOW = java.time.Duration.ofHours(12);
    /** Bounds the memory of what is remembered (~200 bytes per entry). */
    static final int MAX_KNOWN = 2_000_000;

    private record Known(BlobRef ref, long sinceMillis) {
    }

    private final Map<String, Long> known = new ConcurrentHashMap<>();
    private final Map<String, Known> knownPacked = new ConcurrentHashMap<>();
    private volatile boolean recentPacksLoaded;

    public Documents(BlobStore blobs, BackupProgress progress) {
        this(blobs, progress, blobs.packer(DEFAULT_PACK_BYTES, DEFAULT_PACK_DELAY));
    }

    /** Item and metadata documents go into packs through {@code packer}; attachment data stays stand-alone. */
    public Documents(BlobStore blobs, BackupProgress progress, Packer packer) {
        this.blobs = blobs;
        this.progress = progress;
        this.packer = packer;
        // A pack that failed to upload holds nothing: never hand out a reference into it again.
        packer.onFailure(pack -> knownPacked.values().removeIf(k -> pack.equals(k.ref().getPack())));
    }

    /**
     * Completes when every blob in {@code refs} is stored; fails when one of them was in a pack whose upload
     * failed. Publish an event only after this completed for the refs the event names.
     */
    public CompletableFuture<Void> durable(java.util.Collection<BlobRef> refs) {
        java.util.Set<String> packs = new java.util.HashSet<>();
        for (BlobRef r : refs) {
            if (r != null && r.getPack() != null) {
                packs.add(r.getPack());
            }
        }
        return CompletableFuture.allOf(packs.stream().map(packer::durable).toArray(CompletableFuture[]::new));
    }

    /** Stores {@code data} content-addressed (put-if-absent) and returns its reference. */
    public BlobRef put(byte[] data) {
        String sha = io.kbr.blobstore.BlobId.of(data).sha256();
        progress.plainBytes.addAndGet(data.length);
        Long since = known.get(sha);
        if (since != null && fresh(since)) {
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
        if (known.size() < MAX_KNOWN) {
            known.put(r.id().sha256(), System.currentTimeMillis()); // written or confirmed just now
        }
        return io.kbr.events.BlobRefs.standalone(r.id().sha256(), r.plainSize());
    }

    /**
     * Completes when every blob {@code put} before this call is durable in object storage, without forcing
     * anything out early. A change event may be published only then (blobs before events).
     */
    public CompletableFuture<Void> whenDurable() {
        return packer.whenDurable();
    }

    /** Like {@link #whenDurable()}, but writes out whatever is still buffered now (end of a batch). */
    public CompletableFuture<Void> flush() {
        return packer.flush();
    }

    /**
     * Stores an item document in a pack. Documents are unique per item version, so packing loses no
     * deduplication and saves one PUT per item, which is what limits a backup against an object store.
     */
    public BlobRef putItem(ItemDocument doc) {
        return putPacked(ITEM_ENCODER.encode(doc));
    }

    private BlobRef putPacked(byte[] data) {
        loadRecentPacks();
        progress.plainBytes.addAndGet(data.length);
        io.kbr.blobstore.BlobId id = io.kbr.blobstore.BlobId.of(data);
        String sha = id.sha256();
        Known k = knownPacked.get(sha);
        if (k != null && fresh(k.sinceMillis())) {
            progress.blobsSkipped.incrementAndGet();
            return k.ref();
        }
        PackedBlob p = packer.append(id, data);
        progress.blobsUploaded.incrementAndGet();
        progress.storedBytesUploaded.addAndGet(p.storedLength());
        BlobRef ref = ref(p);
        if (knownPacked.size() < MAX_KNOWN) {
            knownPacked.put(sha, new Known(ref, System.currentTimeMillis()));
        }
        return ref;
    }

    private static BlobRef ref(PackedBlob p) {
        return BlobRefs.packed(p.id().sha256(), p.plainSize(), p.pack(), p.offset(), p.storedLength());
    }

    private static boolean fresh(long sinceMillis) {
        return System.currentTimeMillis() - sinceMillis < REUSE_WINDOW.toMillis();
    }

    /** Once: remembers the entries of packs written within the reuse window (two range GETs per pack). */
    private void loadRecentPacks() {
        if (recentPacksLoaded) {
            return;
        }
        synchronized (this) {
            if (recentPacksLoaded) {
                return;
            }
            long cutoff = System.currentTimeMillis() - REUSE_WINDOW.toMillis();
            blobs.packs().filter(o -> o.lastModified().toEpochMilli() > cutoff).forEach(o -> {
                for (PackedBlob p : blobs.packIndex(o)) {
                    if (knownPacked.size() < MAX_KNOWN) {
                        knownPacked.putIfAbsent(p.id().sha256(), new Known(ref(p), o.lastModified().toEpochMilli()));
                    }
                }
            });
            recentPacksLoaded = true;
        }
    }

    /** Flushes the open pack and waits for it. */
    @Override
    public void close() {
        packer.close();
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
                .setDelegateLogins(new ArrayList<>(md.delegates().logins()))
                .setRuleFolders(md.ruleFolders().stream().map(f -> new io.kbr.events.schema.RuleFolderDocument(
                        ByteBuffer.wrap(f.entryId().unsafeArray()), f.sourceKey() == null ? null : ByteBuffer.wrap(f.sourceKey().unsafeArray()),
                        f.sameStore())).toList())
                .build();
        return putPacked(METADATA_CODEC.encode(doc));
    }
}
