package io.kbr.catalog.export;

import io.kbr.blobstore.BlobCorruptException;
import io.kbr.blobstore.BlobNotFoundException;
import io.kbr.blobstore.BlobStore;
import io.kbr.catalog.client.ObjectStoreClient;
import io.kbr.catalog.mapping.Hex;
import io.kbr.catalog.model.BlobReference;
import io.kbr.catalog.model.ItemPage;
import io.kbr.catalog.model.ItemQuery;
import io.kbr.catalog.model.ItemSummary;
import io.kbr.catalog.model.ItemVersionSummary;
import io.kbr.catalog.model.PageCursor;
import io.kbr.catalog.service.InvalidParameterException;
import io.kbr.catalog.service.ItemService;
import io.kbr.catalog.service.ObjectStoreUnavailableException;
import io.kbr.catalog.service.UnknownItemException;
import io.kbr.documents.StoredBlobs;
import io.kbr.events.AvroCodec;
import io.kbr.events.schema.BlobRef;
import io.kbr.events.schema.ItemDocument;
import io.kbr.restore.kopano.export.MessageExport;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Function;

/**
 * Exports backed-up items as RFC 822 text (.eml) or one mboxrd file, from the item documents in the blob store: the
 * original text when Kopano kept it (byte for byte), else a message generated from the document
 * ({@link MessageExport}). Every blob is read through the blob store's verified reads, so a corrupt or missing one is
 * an {@link ExportBlobException} naming it. An mbox is written one message at a time (bounded memory, whatever the
 * selection's size); a selection by filters is paged through the item search.
 */
@ApplicationScoped
public class ExportService {
    private static final AvroCodec<ItemDocument> DOCUMENTS = AvroCodec.of(ItemDocument.class);
    static final int PAGE = 100;

    private final ItemService items;
    private final ObjectStoreClient objects;

    public ExportService(ItemService items, ObjectStoreClient objects) {
        this.items = items;
        this.objects = objects;
    }

    /** One item to export: its sourcekey (hex) and the version whose document is exported. */
    public record Selected(String sourceKey, ItemVersionSummary version) {
    }

    /**
     * The version of an item to export: {@code versionId} (an event id from the item's versions) if given, else the
     * latest version with a document observed at or before {@code asOf} (default: the latest).
     *
     * @throws UnknownItemException (404) for an item not in the catalog, or one without a version then
     */
    public Selected select(byte[] store, byte[] sourceKey, Instant asOf, String versionId) {
        List<ItemVersionSummary> versions = items.versions(store, sourceKey);
        ItemVersionSummary chosen = null;
        for (ItemVersionSummary v : versions) {
            if (v.document() == null) {
                continue;
            }
            if (versionId != null) {
                if (versionId.equals(v.eventId())) {
                    chosen = v;
                }
            } else if (asOf == null || !v.observedAt().isAfter(asOf)) {
                chosen = v;
            }
        }
        if (chosen == null) {
            if (versionId != null) {
                throw new InvalidParameterException("version", "item " + Hex.encode(sourceKey) + " has no version '" + versionId
                        + "' with a document (see /versions)");
            }
            throw new UnknownItemException(Hex.encode(store), Hex.encode(sourceKey));
        }
        return new Selected(Hex.encode(sourceKey), chosen);
    }

    /** The .eml of one selected item. */
    public byte[] eml(Selected s) {
        BlobStore blobs = blobStore();
        ItemDocument doc = document(blobs, s);
        try {
            return MessageExport.eml(doc, reader(blobs, s));
        } catch (IOException e) {
            throw new ExportBlobException("item " + s.sourceKey() + ": " + e.getMessage(), true, e);
        }
    }

    /** Writes one item as an mboxrd entry (its "From " line, the escaped text, an empty line). */
    public void mboxEntry(Selected s, OutputStream out) throws IOException {
        BlobStore blobs = blobStore();
        ItemDocument doc = document(blobs, s);
        MessageExport.mbox(List.of(doc), reader(blobs, s), out);
    }

    /** The items of a search (paging ignored: every page), each in the version the search found. */
    public Iterator<Selected> search(ItemQuery query) {
        return new Iterator<>() {
            private Iterator<ItemSummary> page = List.<ItemSummary>of().iterator();
            private PageCursor cursor = query.after();
            private boolean last;
            private Selected next;

            @Override
            public boolean hasNext() {
                while (next == null) {
                    if (!page.hasNext()) {
                        if (last) {
                            return false;
                        }
                        ItemPage p = items.search(new ItemQuery(query.store(), query.sender(), query.recipient(), query.subjectWords(),
                                query.from(), query.to(), query.folder(), query.subfolders(), query.deleted(), PAGE, cursor, query.asOf()));
                        page = p.items().iterator();
                        last = p.nextCursor() == null;
                        cursor = last ? null : PageCursor.decode(p.nextCursor());
                        continue;
                    }
                    ItemSummary item = page.next();
                    Selected s = forSummary(item, query.asOf());
                    if (s != null) {
                        next = s;
                    }
                }
                return true;
            }

            @Override
            public Selected next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                Selected s = next;
                next = null;
                return s;
            }
        };
    }

    /** The version of a search hit: the one whose document the search saw, else the latest at asOf; null if it has none. */
    private Selected forSummary(ItemSummary item, Instant asOf) {
        byte[] store = Hex.decode(item.storeGuid());
        byte[] key = Hex.decode(item.sourceKey());
        List<ItemVersionSummary> versions = items.versions(store, key);
        ItemVersionSummary bySha = null;
        ItemVersionSummary latest = null;
        for (ItemVersionSummary v : versions) {
            if (v.document() == null || (asOf != null && v.observedAt().isAfter(asOf))) {
                continue;
            }
            latest = v;
            if (item.documentSha256() != null && item.documentSha256().equals(v.documentSha256())) {
                bySha = v;
            }
        }
        ItemVersionSummary chosen = bySha != null ? bySha : latest;
        return chosen == null ? null : new Selected(item.sourceKey(), chosen);
    }

    private BlobStore blobStore() {
        return objects.blobStore().orElseThrow(() -> new ObjectStoreUnavailableException(
                "exports read item documents from the object store, and kbr.catalog.object-store.endpoint is not set"));
    }

    private static ItemDocument document(BlobStore blobs, Selected s) {
        BlobReference d = s.version().document();
        BlobRef ref = BlobRef.newBuilder().setSha256(d.sha256()).setSize(d.size()).setPack(d.pack()).setOffset(d.offset())
                .setStoredLength(d.storedLength()).build();
        byte[] bytes = read(blobs, s, ref, "document");
        try {
            return DOCUMENTS.decode(bytes);
        } catch (RuntimeException e) {
            throw new ExportBlobException("item " + s.sourceKey() + ": document blob " + d.sha256() + " does not decode as an item document: "
                    + e.getMessage(), false, e);
        }
    }

    private static Function<BlobRef, byte[]> reader(BlobStore blobs, Selected s) {
        return ref -> read(blobs, s, ref, "blob");
    }

    private static byte[] read(BlobStore blobs, Selected s, BlobRef ref, String what) {
        try {
            return StoredBlobs.read(blobs, ref);
        } catch (BlobCorruptException e) {
            throw new ExportBlobException("item " + s.sourceKey() + ": " + what + " " + ref.getSha256() + " is corrupt, nothing exported: "
                    + e.getMessage(), false, e);
        } catch (BlobNotFoundException e) {
            throw new ExportBlobException("item " + s.sourceKey() + ": " + what + " " + ref.getSha256() + " is missing, nothing exported: "
                    + e.getMessage(), true, e);
        }
    }
}
