package io.kbr.agent.backup;

import io.kbr.documents.ItemDocuments;
import io.kbr.events.schema.BlobRef;
import io.kbr.events.schema.ChangeEvent;
import io.kbr.events.schema.ItemDocument;
import io.kbr.events.schema.ItemOperation;
import io.kbr.kopano.model.Bytes;
import io.kbr.kopano.model.Message;
import io.kbr.kopano.model.Store;
import io.kbr.kopano.read.KopanoReader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Backs up one message: stores its attachment data (content-addressed) and its document (packed), and builds
 * its change event. Shared by the full and the incremental backup. The caller publishes the event only after
 * {@link Documents#whenDurable()}.
 */
public final class MessageBackup {
    /** Original MIME texts up to this size are kept inside the item document instead of as their own blob. */
    public static final int INLINE_RFC822_LIMIT = 256 * 1024;

    private final Documents documents;
    private final ChangeEvents events;
    private final BackupProgress progress;

    public MessageBackup(Documents documents, ChangeEvents events, BackupProgress progress) {
        this.documents = documents;
        this.events = events;
        this.progress = progress;
    }

    /** Reads the message's attachment data and original MIME text (on the reader's connection). */
    public static Map<io.kbr.kopano.model.BlobRef, byte[]> readBlobs(KopanoReader reader, Message m) throws Exception {
        Map<io.kbr.kopano.model.BlobRef, byte[]> out = new HashMap<>();
        collect(reader, m, out);
        return out;
    }

    private static void collect(KopanoReader reader, Message m, Map<io.kbr.kopano.model.BlobRef, byte[]> out) throws Exception {
        if (m.imapEmail() != null) {
            out.put(m.imapEmail(), reader.readBlob(m.imapEmail()));
        }
        for (var a : m.attachments()) {
            if (a.data() != null) {
                out.put(a.data(), reader.readBlob(a.data()));
            }
            if (a.embedded() != null) {
                collect(reader, a.embedded(), out);
            }
        }
    }

    /** Stores the message's blobs and document and returns its event (UPSERT, or SOFT_DELETE when soft-deleted). */
    public ChangeEvent backup(Store store, Bytes folderKey, Message m, Map<io.kbr.kopano.model.BlobRef, byte[]> data, long journalId, long now) {
        // A small original MIME text travels inside the document: it is unique per item anyway, and one object
        // fewer per item is the biggest saving against the object store (docs/benchmarks.md).
        byte[] mime = m.imapEmail() == null ? null : data.get(m.imapEmail());
        boolean inline = mime != null && mime.length <= INLINE_RFC822_LIMIT;
        Map<io.kbr.kopano.model.BlobRef, BlobRef> refs = new HashMap<>();
        for (var e : data.entrySet()) {
            if (!(inline && e.getKey().equals(m.imapEmail()))) {
                refs.put(e.getKey(), documents.put(e.getValue()));
            }
        }
        ItemDocument doc = ItemDocuments.toDocument(m, refs::get);
        if (inline) {
            progress.plainBytes.addAndGet(mime.length);
            doc.setRfc822Inline(java.nio.ByteBuffer.wrap(mime));
        }
        BlobRef docRef = documents.putItem(doc);
        List<BlobRef> all = new ArrayList<>();
        all.add(docRef);
        all.addAll(ItemDocuments.blobs(doc));
        ItemOperation op = m.softDeleted() ? ItemOperation.SOFT_DELETE : ItemOperation.UPSERT;
        return events.item(store, folderKey, m, op, docRef, all, journalId, now);
    }
}
