package io.kbr.restore.kopano;

import io.kbr.documents.ItemDocuments;
import io.kbr.documents.PropertyValues;
import io.kbr.events.schema.AttachmentDocument;
import io.kbr.events.schema.BlobRef;
import io.kbr.events.schema.ItemDocument;
import io.kbr.events.schema.RecipientDocument;
import io.kbr.kopano.model.Bytes;
import io.kbr.kopano.model.PropTags;
import io.kbr.kopano.model.PropType;
import io.kbr.kopano.model.Property;
import io.kbr.kopano.model.PropertyList;
import io.kbr.kopano.model.Store;
import io.kbr.kopano.read.KopanoReader;
import io.kbr.kopano.store.ChangeTypes;
import io.kbr.kopano.store.EntryIds;
import io.kbr.kopano.store.ObjectTypes;
import io.kbr.kopano.write.AttachmentStorage;
import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Writes backed-up {@link ItemDocument}s into a Kopano database by direct SQL, following the checklist of
 * KOPANO-STORAGE.md §10.3: one transaction per item with the {@code hierarchy} row, {@code properties} and
 * {@code mvproperties}, {@code tproperties} rows, a fresh entryid with the target store's GUID and a fresh
 * sourcekey, the original sourcekey stamped as PR_EC_BACKUP_SOURCE_KEY, recipients, attachments with their data in
 * the target's attachment backend, embedded messages, the original RFC 822 text, named properties mapped by name
 * to the target's ids, an ICS NEW row with PR_CHANGE_KEY / PR_PREDECESSOR_CHANGE_LIST as AddChange writes them,
 * folder counters and the store size. Every blob is fetched and its SHA-256 checked before anything is written.
 * Also: folders by path under an optional restore root, the conflict modes, undelete as kopano-server's move does
 * it (§6.4), and hard deletes as DeleteObjectHard does them (§6.3).
 *
 * <p>After a restore into a database a running kopano-server owns, its caches must be cleared (docs/restore-writing.md).
 * Not thread-safe; use one instance per connection.
 */
public final class KopanoRestorer {
    /** PR_EC_BACKUP_SOURCE_KEY, PROP_TAG(PT_BINARY, 0x67D1) in Kopano's m4lcommon/include/kopano/ECTags.h. */
    public static final int EC_BACKUP_SOURCE_KEY = 0x67D1;
    public static final int PARENT_ENTRYID = 0x0E09;
    public static final int STORE_ENTRYID = 0x0FFB;
    public static final int STORE_RECORD_KEY = 0x0FFA;
    public static final int INSTANCE_KEY = 0x0FF6;

    /** Properties of a document that are never written as they are: identity kept elsewhere or recomputed. */
    private static final Set<Integer> NOT_COPIED = Set.of(PropTags.ENTRYID, PropTags.SOURCE_KEY, PropTags.ATTACH_DATA_BIN,
            PropTags.EC_IMAP_EMAIL, PropTags.PARENT_SOURCE_KEY, PARENT_ENTRYID, STORE_ENTRYID, STORE_RECORD_KEY, INSTANCE_KEY);

    private final TargetDb db;
    private final Map<Long, StoreIndex> indexes = new HashMap<>();
    private final Map<Long, Bytes> folderSourceKeys = new HashMap<>();

    public KopanoRestorer(Connection c, AttachmentStorage storage) throws SQLException {
        this(c, storage, Clock.systemUTC(), SourceKeyPolicy.serverCounter());
    }

    public KopanoRestorer(Connection c, AttachmentStorage storage, Clock clock, SourceKeyPolicy sourceKeys) throws SQLException {
        this.db = new TargetDb(c, storage, clock, sourceKeys);
    }

    /** For tests: the SQL layer. */
    TargetDb db() {
        return db;
    }

    // ---------------------------------------------------------------------------------------------------
    // Stores and folders

    /** The store of a user in the target database (by login name, as {@link KopanoReader#stores()} resolves it). */
    public Store store(String userName) throws SQLException {
        for (Store s : new KopanoReader(db.c, db.storage).stores()) {
            if (s.userName() != null && s.userName().equals(userName) && s.type() == 0) {
                return s;
            }
        }
        throw new SQLException("the target database has no private store of user '" + userName + "'");
    }

    /**
     * The folder for {@code folder} below {@code restoreRoot}, creating what is missing (idempotent). Both are paths of
     * display names from the store's root folder; with a restore root, a leading {@code IPM_SUBTREE} of the folder's
     * path is dropped, so {@code [IPM_SUBTREE, Inbox]} under root {@code [IPM_SUBTREE, Restored]} becomes
     * {@code Restored/Inbox}. Each created folder is its own transaction (as CreateFolder).
     */
    public long ensureFolder(Store store, List<String> restoreRoot, FolderSpec folder) throws Exception {
        List<String> path = new ArrayList<>();
        List<String> tail = folder.path();
        if (restoreRoot != null && !restoreRoot.isEmpty()) {
            path.addAll(restoreRoot);
            if (!tail.isEmpty() && tail.get(0).equals("IPM_SUBTREE")) {
                tail = tail.subList(1, tail.size());
            }
        }
        path.addAll(tail);
        long current = store.rootFolderId();
        for (int i = 0; i < path.size(); i++) {
            String name = path.get(i);
            Long child = childFolder(current, name);
            if (child == null) {
                boolean last = i == path.size() - 1;
                long parent = current;
                child = db.inTransaction(() -> createFolder(store, parent, name, last ? folder.containerClass() : null,
                        last ? folder.originalSourceKey() : null));
            }
            current = child;
        }
        return current;
    }

    private Long childFolder(long parent, String name) throws SQLException {
        try (PreparedStatement ps = db.c.prepareStatement("SELECT h.id FROM hierarchy h JOIN properties p ON p.hierarchyid = h.id"
                + " AND p.tag = ? AND p.type = 30 WHERE h.parent = ? AND h.type = 3 AND h.flags & 1024 = 0 AND p.val_string = ? ORDER BY h.id LIMIT 1")) {
            ps.setInt(1, PropTags.DISPLAY_NAME);
            ps.setLong(2, parent);
            ps.setString(3, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : null;
            }
        }
    }

    /** CreateFolder (§2.2, §3.5, §5.3): a FOLDER_GENERIC with entryid, sourcekey, counters, display name in tproperties, FOLDER_NEW. */
    private long createFolder(Store store, long parent, String name, String containerClass, Bytes originalSourceKey) throws SQLException {
        Bytes parentSk = db.sourceKeyOf(parent);
        if (parentSk == null) {
            throw new SQLException("folder " + parent + " has no sourcekey");
        }
        long now = db.now();
        long id = db.insert("INSERT INTO hierarchy (parent, type, flags, owner) VALUES (?,?,1,?)", parent, ObjectTypes.FOLDER, store.userId());
        Bytes sk = db.newSourceKey();
        db.indexed(id, PropTags.ENTRYID, EntryIds.newV1(store.guid(), ObjectTypes.FOLDER));
        db.indexed(id, PropTags.SOURCE_KEY, sk);
        List<Property> props = new ArrayList<>(List.of(
                Property.of(PropTags.FOLDER_TYPE, PropType.LONG, 1),
                Property.of(PropTags.CREATION_TIME, PropType.SYSTIME, now),
                Property.of(PropTags.LAST_MODIFICATION_TIME, PropType.SYSTIME, now),
                Property.of(PropTags.CONTENT_COUNT, PropType.LONG, 0),
                Property.of(PropTags.CONTENT_UNREAD, PropType.LONG, 0),
                Property.of(PropTags.ASSOC_CONTENT_COUNT, PropType.LONG, 0),
                Property.of(PropTags.FOLDER_CHILD_COUNT, PropType.LONG, 0),
                Property.of(PropTags.SUBFOLDERS, PropType.BOOLEAN, false),
                Property.of(PropTags.DELETED_MSG_COUNT, PropType.LONG, 0),
                Property.of(PropTags.DELETED_FOLDER_COUNT, PropType.LONG, 0),
                Property.of(PropTags.DELETED_ASSOC_MSG_COUNT, PropType.LONG, 0),
                Property.of(PropTags.DISPLAY_NAME, PropType.STRING8, name)));
        if (containerClass != null) {
            props.add(Property.of(PropTags.CONTAINER_CLASS, PropType.STRING8, containerClass));
        }
        if (originalSourceKey != null) {
            props.add(Property.of(EC_BACKUP_SOURCE_KEY, PropType.BINARY, originalSourceKey));
        }
        db.writeProps(id, props);
        db.exec("INSERT INTO tproperties (folderid, hierarchyid, tag, type, val_string) VALUES (?,?,?,?,?)",
                parent, id, PropTags.DISPLAY_NAME, PropType.STRING8, name);
        db.addToCounter(parent, PropTags.FOLDER_CHILD_COUNT, 1);
        db.setBoolean(parent, PropTags.SUBFOLDERS, true);
        db.addChange(ChangeTypes.FOLDER_NEW, sk, parentSk, 0);
        StoreIndex idx = indexes.get(store.hierarchyId());
        if (idx != null) {
            idx.folderParent.put(id, parent);
            idx.folderFlags.put(id, 1);
        }
        return id;
    }

    // ---------------------------------------------------------------------------------------------------
    // Items

    /** The key that identifies an item across restores: its PR_EC_BACKUP_SOURCE_KEY if it was restored before, else its sourcekey. */
    public static Bytes backupSourceKey(ItemDocument doc) {
        for (var p : doc.getProps()) {
            if (p.getId() == EC_BACKUP_SOURCE_KEY && p.getType() == PropType.BINARY && p.getNamed() == null) {
                return Bytes.wrap(PropertyValues.bytes((java.nio.ByteBuffer) p.getValue()));
            }
        }
        return doc.getSourceKey() == null ? null : Bytes.wrap(PropertyValues.bytes(doc.getSourceKey()));
    }

    /**
     * The message of {@code store} (directly in one of its folders, soft-deleted or not) that is the item whose original
     * sourcekey is {@code key}: by its live sourcekey, or by PR_EC_BACKUP_SOURCE_KEY once it was restored or undeleted.
     * An undelete gives the message a new sourcekey, as kopano-server's move does (§6.4), so after
     * {@link #undeleteInPlace} the original sourcekey is no longer in {@code indexedproperties}; this finds it anyway.
     * Null if there is none.
     */
    public Long findMessage(Store store, Bytes key) throws SQLException {
        Existing e = index(store).find(key, null);
        return e == null ? null : e.id;
    }

    /**
     * Restores one top-level item into {@code folderId} of {@code store}. Never throws for a problem of the item
     * itself (a missing or corrupt blob, an unmappable property, a SQL error): the transaction is rolled back, backend
     * files written for it are removed, and the outcome is {@link ItemOutcome.Status#FAILED} with the reason.
     *
     * <p>An existing copy (same backup sourcekey in any folder of the store): with SKIP a live copy is left alone and a
     * soft-deleted copy is undeleted into {@code folderId} (§6.4); OVERWRITE hard-deletes the copy and writes the
     * document; KEEP_BOTH writes the document beside it.
     *
     * @param blobs opens a blob of the backup; it may verify and throw, and the restorer checks size and SHA-256 again.
     *              Called only when the document is written (not for a skipped or undeleted copy), for every blob
     *              before the transaction starts.
     */
    public ItemOutcome restore(Store store, long folderId, ItemDocument doc, Function<BlobRef, byte[]> blobs, ConflictMode mode) {
        Bytes key = backupSourceKey(doc);
        try {
            checkNames(doc, "message");
        } catch (RestoreFailure e) {
            return ItemOutcome.failed(key, e.getMessage());
        }
        try {
            // An existing copy first: a re-run that skips (or undeletes) needs no blob from the backup.
            StoreIndex idx = index(store);
            Existing ex = key == null ? null : idx.find(key, doc.getSourceKey() == null ? null : Bytes.wrap(PropertyValues.bytes(doc.getSourceKey())));
            if (ex != null && mode == ConflictMode.SKIP) {
                if (!ex.deleted) {
                    return new ItemOutcome(ItemOutcome.Status.SKIPPED_DUPLICATE, ex.id, null, key, "already in the target store as message " + ex.id);
                }
                db.inTransactionRetrying(() -> {
                    undeleteNoTx(store, ex.id, folderId, key);
                    return null;
                });
                idx.remember(key, ex.id);
                return new ItemOutcome(ItemOutcome.Status.UNDELETED, ex.id, null, key, null);
            }
            Map<String, byte[]> data;
            try {
                data = fetchBlobs(doc, blobs);
            } catch (RestoreFailure e) {
                return ItemOutcome.failed(key, e.getMessage());
            }
            try {
                resolveNames(doc);
            } catch (SQLException e) {
                return ItemOutcome.failed(key, "not restored, nothing written: named properties could not be mapped: " + describe(e));
            }
            boolean overwrite = ex != null && mode == ConflictMode.OVERWRITE;
            long id = db.inTransactionRetrying(() -> {
                if (overwrite) {
                    hardDeleteNoTx(store, ex.id);
                }
                return writeMessage(store, folderId, doc, data, key);
            });
            if (overwrite) {
                idx.forget(ex.id);
            }
            if (key != null) {
                idx.remember(key, id);
            }
            return new ItemOutcome(overwrite ? ItemOutcome.Status.OVERWRITTEN : ItemOutcome.Status.RESTORED, id, overwrite ? ex.id : null, key, null);
        } catch (Exception e) {
            indexes.remove(store.hierarchyId()); // rebuilt on the next call, from what actually committed
            return ItemOutcome.failed(key, "not restored, nothing written: " + describe(e));
        }
    }

    /**
     * Restores items in order, each into its folder path below {@code restoreRoot} (folders created once, see
     * {@link #ensureFolder}), through {@link #restoreBatch} (several items per transaction, each all-or-nothing); one
     * outcome per request in the same order. A folder that cannot be created fails the items meant for it.
     */
    public List<ItemOutcome> restoreAll(Store store, List<String> restoreRoot, List<RestoreRequest> requests, Function<BlobRef, byte[]> blobs,
            ConflictMode mode) {
        Map<List<String>, Long> folders = new HashMap<>();
        ItemOutcome[] out = new ItemOutcome[requests.size()];
        List<BatchItem> batch = new ArrayList<>();
        List<Integer> positions = new ArrayList<>();
        for (int i = 0; i < requests.size(); i++) {
            RestoreRequest r = requests.get(i);
            Long folder = folders.get(r.folder().path());
            if (folder == null) {
                try {
                    folder = ensureFolder(store, restoreRoot, r.folder());
                    folders.put(r.folder().path(), folder);
                } catch (Exception e) {
                    out[i] = ItemOutcome.failed(backupSourceKey(r.doc()), "folder " + String.join("/", r.folder().path())
                            + " could not be created: " + describe(e));
                    continue;
                }
            }
            batch.add(new BatchItem(folder, r.doc()));
            positions.add(i);
        }
        List<ItemOutcome> written = restoreBatch(store, batch, blobs, mode);
        for (int k = 0; k < positions.size(); k++) {
            out[positions.get(k)] = written.get(k);
        }
        return List.of(out);
    }

    // ---------------------------------------------------------------------------------------------------
    // Batches

    /** One item of {@link #restoreBatch}: the backed-up document and the target folder's {@code hierarchy.id}. */
    public record BatchItem(long folderId, ItemDocument doc) {
    }

    /** Items per transaction in {@link #restoreBatch} (and the most blobs it holds in memory at a time). */
    public static final int DEFAULT_BATCH_SIZE = 100;

    private int batchSize = DEFAULT_BATCH_SIZE;
    private long fastBatches;
    private long slowBatches;

    /** Items per transaction (1 = one transaction per item, as {@link #restore}). */
    public KopanoRestorer batchSize(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + n);
        }
        this.batchSize = n;
        return this;
    }

    private boolean deferTableRows;

    /**
     * How {@link #restoreBatch} makes restored items visible in table views (§3.5): false (default) writes their
     * {@code tproperties} rows as the server's purge would; true inserts one {@code deferredupdate} row per item
     * instead, which is what kopano-server itself does when it saves a message — a contents table then reads those
     * items from {@code properties} until the server's next purge of the folder (or {@code kopano-srvadm
     * --purge-deferred}). One row per item instead of one per property.
     */
    public KopanoRestorer deferTableRows(boolean defer) {
        this.deferTableRows = defer;
        return this;
    }

    private String lastFallback;

    /** Why the last batch that fell back to a savepoint per item could not be written as a whole, or null. */
    public String lastFallbackReason() {
        return lastFallback;
    }

    /** For tests and benchmarks: {batches committed on the fast path, batches that fell back to a savepoint per item}. */
    public long[] batchStats() {
        return new long[] {fastBatches, slowBatches};
    }

    /**
     * Restores many items with the guarantees of {@link #restore} — per item all-or-nothing, blobs checked before
     * anything is written, the same conflict handling, {@code changes} rows and folder counters — but several items
     * per transaction (chunks of {@link #batchSize}) and each table written with one multi-row statement per chunk.
     * Never throws; one outcome per item, in order.
     *
     * <p>Per chunk: every item is checked first (names, an existing copy, every blob's size and SHA-256, named
     * properties mapped); items that fail a check are FAILED with nothing written. The rest are written together in
     * one transaction. If that fails, it is rolled back and the chunk is written again item by item in one
     * transaction with a {@code SAVEPOINT} per item: an item that fails is rolled back to its savepoint (rows, backend
     * files, reservations) and reported FAILED, the others commit. Items with an existing copy to undelete or
     * overwrite, and a second item with the same backup key in a chunk, go through {@link #restore} after the chunk.
     */
    public List<ItemOutcome> restoreBatch(Store store, List<BatchItem> items, Function<BlobRef, byte[]> blobs, ConflictMode mode) {
        List<ItemOutcome> out = new ArrayList<>(items.size());
        for (int from = 0; from < items.size(); from += batchSize) {
            out.addAll(restoreChunk(store, items.subList(from, Math.min(items.size(), from + batchSize)), blobs, mode));
        }
        return out;
    }

    private record Pending(int index, BatchItem item, Bytes key, Map<String, byte[]> data) {
    }

    private List<ItemOutcome> restoreChunk(Store store, List<BatchItem> items, Function<BlobRef, byte[]> blobs, ConflictMode mode) {
        ItemOutcome[] out = new ItemOutcome[items.size()];
        List<Pending> pending = new ArrayList<>();
        List<Integer> later = new ArrayList<>();
        StoreIndex idx;
        Map<Bytes, Long> live;
        try {
            // KEEP_BOTH looks up no existing copy: the store's index (every backup sourcekey in it) is not loaded for it
            idx = mode == ConflictMode.KEEP_BOTH ? indexes.get(store.hierarchyId()) : index(store);
            live = mode == ConflictMode.KEEP_BOTH ? Map.of() : idx.liveSourceKeys(items);
        } catch (Exception e) {
            indexes.remove(store.hierarchyId());
            for (int i = 0; i < items.size(); i++) {
                out[i] = ItemOutcome.failed(backupSourceKey(items.get(i).doc()), "not restored, nothing written: " + describe(e));
            }
            return List.of(out);
        }
        java.util.Set<Bytes> keysInChunk = new java.util.HashSet<>();
        for (int i = 0; i < items.size(); i++) {
            ItemDocument doc = items.get(i).doc();
            Bytes key = backupSourceKey(doc);
            try {
                checkNames(doc, "message");
                if (mode != ConflictMode.KEEP_BOTH && key != null) {
                    if (!keysInChunk.add(key)) {
                        later.add(i); // the same item twice: decided against the first one once it is committed
                        continue;
                    }
                    Existing ex = idx.find(key, doc.getSourceKey() == null ? null : Bytes.wrap(PropertyValues.bytes(doc.getSourceKey())), live);
                    if (ex != null) {
                        if (mode == ConflictMode.SKIP && !ex.deleted) {
                            out[i] = new ItemOutcome(ItemOutcome.Status.SKIPPED_DUPLICATE, ex.id, null, key, "already in the target store as message " + ex.id);
                        } else {
                            later.add(i); // undelete (SKIP) or overwrite: the single-item path
                        }
                        continue;
                    }
                }
                Map<String, byte[]> data = fetchBlobs(doc, blobs);
                try {
                    resolveNames(doc);
                } catch (SQLException e) {
                    throw new RestoreFailure("named properties could not be mapped: " + describe(e), e);
                }
                pending.add(new Pending(i, items.get(i), key, data));
            } catch (RestoreFailure e) {
                out[i] = ItemOutcome.failed(key, e.getMessage().startsWith("named") ? "not restored, nothing written: " + e.getMessage() : e.getMessage());
            } catch (Exception e) {
                out[i] = ItemOutcome.failed(key, "not restored, nothing written: " + describe(e));
            }
        }
        if (!pending.isEmpty()) {
            writePending(store, idx, pending, out);
        }
        for (int i : later) {
            BatchItem it = items.get(i);
            out[i] = restore(store, it.folderId(), it.doc(), blobs, mode);
        }
        return List.of(out);
    }

    private void writePending(Store store, StoreIndex idx, List<Pending> pending, ItemOutcome[] out) {
        List<Long> ids;
        try {
            int[] counts = new int[2];
            for (Pending p : pending) {
                countNew(p.item().doc(), counts, true);
            }
            db.reserve(counts[0], counts[1]);
            ids = db.inTransactionRetrying(() -> writeMessages(store, pending));
            fastBatches++;
        } catch (Exception e) {
            if (pending.size() == 1) {
                out[pending.get(0).index()] = ItemOutcome.failed(pending.get(0).key(), "not restored, nothing written: " + describe(e));
                return;
            }
            lastFallback = describe(e) + (e.getStackTrace().length > 0 ? " at " + e.getStackTrace()[0] : "");
            ids = null; // rolled back as a whole: item by item below, to find and leave out the failing ones
        }
        if (ids != null) {
            for (int k = 0; k < pending.size(); k++) {
                Pending p = pending.get(k);
                if (p.key() != null && idx != null) {
                    idx.remember(p.key(), ids.get(k));
                }
                out[p.index()] = new ItemOutcome(ItemOutcome.Status.RESTORED, ids.get(k), null, p.key(), null);
            }
            return;
        }
        slowBatches++;
        try {
            ItemOutcome[] result = db.inTransactionRetrying(() -> {
                ItemOutcome[] r = new ItemOutcome[pending.size()];
                for (int k = 0; k < pending.size(); k++) {
                    Pending p = pending.get(k);
                    TargetDb.Mark m = db.savepoint("kbr_item");
                    try {
                        long id = writeMessage(store, p.item().folderId(), p.item().doc(), p.data(), p.key());
                        db.release(m);
                        r[k] = new ItemOutcome(ItemOutcome.Status.RESTORED, id, null, p.key(), null);
                    } catch (Exception e) {
                        if (TargetDb.transientFailure(e)) {
                            throw e; // the whole transaction is gone: retried from the start
                        }
                        db.rollbackTo(m);
                        r[k] = ItemOutcome.failed(p.key(), "not restored, nothing written: " + describe(e));
                    }
                }
                return r;
            });
            for (int k = 0; k < pending.size(); k++) {
                Pending p = pending.get(k);
                out[p.index()] = result[k];
                if (!result[k].failed() && p.key() != null && idx != null) {
                    idx.remember(p.key(), result[k].hierarchyId());
                }
            }
        } catch (Exception e) {
            indexes.remove(store.hierarchyId());
            for (Pending p : pending) {
                out[p.index()] = ItemOutcome.failed(p.key(), "not restored, nothing written: " + describe(e));
            }
        }
    }

    /** Sourcekeys ({@code counts[0]}) and IMAP ids ({@code counts[1]}) the document takes: embedded messages need sourcekeys too. */
    private static void countNew(ItemDocument doc, int[] counts, boolean topLevel) {
        counts[0]++;
        if (topLevel) {
            counts[1]++;
        }
        for (AttachmentDocument a : doc.getAttachments()) {
            if (a.getEmbedded() != null) {
                countNew(a.getEmbedded(), counts, false);
            }
        }
    }

    /** The sourcekey of a target folder (cached: a folder keeps its sourcekey, also when moved, §4.2). */
    private Bytes folderSourceKey(long folderId) throws SQLException {
        Bytes folderSk = folderSourceKeys.get(folderId);
        if (folderSk == null) {
            Object[] folder = db.typeAndSourceKey(folderId);
            if (folder == null || (int) folder[0] != ObjectTypes.FOLDER) {
                throw new SQLException("target folder " + folderId + " does not exist");
            }
            folderSk = (Bytes) folder[1];
            if (folderSk == null) {
                throw new SQLException("target folder " + folderId + " has no sourcekey");
            }
            folderSourceKeys.put(folderId, folderSk);
        }
        return folderSk;
    }

    /**
     * {@link #writeMessage} for several items in the open transaction, each table with one multi-row statement: the
     * messages' hierarchy rows, entryids and sourcekeys, recipients' and attachments' rows and properties, single
     * instances, ICS NEW rows, properties, tproperties, then the counters of each folder and the store size once.
     * Embedded messages are written by the single-item code inside the same transaction.
     */
    private List<Long> writeMessages(Store store, List<Pending> pending) throws Exception {
        int n = pending.size();
        Map<Long, Bytes> folderSks = new java.util.LinkedHashMap<>();
        for (Pending p : pending) {
            if (!folderSks.containsKey(p.item().folderId())) {
                folderSks.put(p.item().folderId(), folderSourceKey(p.item().folderId()));
            }
        }
        // The folders must still exist when the rows go in (as the single path's INSERT … SELECT checks): shared locks.
        List<Long> folderIds = new ArrayList<>(folderSks.keySet());
        List<Long> found = db.ids("SELECT id FROM hierarchy WHERE id IN (" + TargetDb.placeholders(folderIds.size()) + ") AND type = 3 LOCK IN SHARE MODE",
                folderIds.toArray());
        if (found.size() != folderIds.size()) {
            List<Long> missing = new ArrayList<>(folderIds);
            missing.removeAll(found);
            throw new SQLException("target folder " + missing + " does not exist");
        }
        List<Object[]> rows = new ArrayList<>(n);
        for (Pending p : pending) {
            rows.add(new Object[] {p.item().folderId(), ObjectTypes.MESSAGE, p.item().doc().getFlags() & ObjectTypes.FLAG_ASSOCIATED, store.userId()});
        }
        List<Long> ids = db.insertRows("hierarchy", "parent, type, flags, owner", n, rows);
        List<Bytes> sks = new ArrayList<>(n);
        List<Object[]> indexed = new ArrayList<>(2 * n);
        List<Object[]> changes = new ArrayList<>(n);
        for (int k = 0; k < n; k++) {
            Bytes sk = db.newSourceKey();
            sks.add(sk);
            indexed.add(new Object[] {ids.get(k), PropTags.ENTRYID, EntryIds.newV1(store.guid(), ObjectTypes.MESSAGE)});
            indexed.add(new Object[] {ids.get(k), PropTags.SOURCE_KEY, sk});
            changes.add(new Object[] {ChangeTypes.MESSAGE_NEW, sk, folderSks.get(pending.get(k).item().folderId()), 0, 0});
        }
        db.batch("INSERT INTO indexedproperties (hierarchyid, tag, val_binary) VALUES (?,?,?)", indexed);

        // Recipients and attachments of every message in one multi-row insert, their properties in one batch.
        List<Object[]> childRows = new ArrayList<>();
        List<List<Property>> childProps = new ArrayList<>();
        List<AttachmentDocument> attachments = new ArrayList<>();
        List<Integer> attachmentOwner = new ArrayList<>();
        List<Integer> attachmentRow = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            ItemDocument doc = pending.get(k).item().doc();
            for (RecipientDocument r : doc.getRecipients()) {
                childRows.add(new Object[] {ids.get(k), r.getObjectType(), 0, store.userId()});
                childProps.add(mapped(r.getProps()));
            }
            for (AttachmentDocument a : doc.getAttachments()) {
                attachmentRow.add(childRows.size());
                attachmentOwner.add(k);
                attachments.add(a);
                childRows.add(new Object[] {ids.get(k), ObjectTypes.ATTACH, 0, store.userId()});
                List<Property> ap = mapped(a.getProps());
                ap.removeIf(p -> !p.isNamed() && NOT_COPIED.contains(p.id()));
                childProps.add(ap);
            }
        }
        List<Long> childIds = db.insertRows("hierarchy", "parent, type, flags, owner", childRows.size(), childRows);
        List<TargetDb.NewBlob> newBlobs = new ArrayList<>();
        for (int j = 0; j < attachments.size(); j++) {
            AttachmentDocument a = attachments.get(j);
            if (a.getData() != null) {
                newBlobs.add(new TargetDb.NewBlob(childIds.get(attachmentRow.get(j)), PropTags.ATTACH_DATA_BIN,
                        pending.get(attachmentOwner.get(j)).data().get(a.getData().getSha256())));
            }
        }
        for (int k = 0; k < n; k++) {
            byte[] mime = rfc822(pending.get(k).item().doc(), pending.get(k).data());
            if (mime != null) {
                newBlobs.add(new TargetDb.NewBlob(ids.get(k), PropTags.EC_IMAP_EMAIL, mime));
            }
        }
        db.writeProps(childIds, childProps);
        db.writeBlobs(newBlobs);
        for (int j = 0; j < attachments.size(); j++) {
            if (attachments.get(j).getEmbedded() != null) {
                writeEmbedded(store, childIds.get(attachmentRow.get(j)), attachments.get(j).getEmbedded(), pending.get(attachmentOwner.get(j)).data());
            }
        }

        // §5.2: the NEW rows (fresh sourcekeys: plain INSERT, consecutive ids), then PR_CHANGE_KEY / PR_PREDECESSOR_CHANGE_LIST.
        List<Long> changeIds = db.insertRows("changes", "change_type, sourcekey, parentsourcekey, sourcesync, flags", n, changes);
        List<List<Property>> propLists = new ArrayList<>(n);
        List<Long> parents = new ArrayList<>(n);
        Map<Long, long[]> perFolder = new java.util.TreeMap<>(); // {content, unread, assoc}, in id order: one lock order for all restorers
        long size = 0;
        for (int k = 0; k < n; k++) {
            Pending p = pending.get(k);
            List<Property> props = messageProps(p.item().doc(), p.data(), p.key(), db.changeKey(changeIds.get(k)));
            propLists.add(props);
            parents.add(p.item().folderId());
            long[] f = perFolder.computeIfAbsent(p.item().folderId(), x -> new long[3]);
            if ((p.item().doc().getFlags() & ObjectTypes.FLAG_ASSOCIATED) != 0) {
                f[2]++;
            } else {
                f[0]++;
                if ((PropertyList.integer(props, PropTags.MESSAGE_FLAGS).orElse(0) & 1) == 0) {
                    f[1]++;
                }
            }
            size += Integer.toUnsignedLong(PropertyList.integer(props, PropTags.MESSAGE_SIZE).orElse(0));
        }
        db.writeProps(ids, propLists);
        if (deferTableRows) {
            List<Object[]> deferred = new ArrayList<>(n);
            for (int k = 0; k < n; k++) {
                deferred.add(new Object[] {ids.get(k), parents.get(k), parents.get(k)});
            }
            db.batch("INSERT INTO deferredupdate (hierarchyid, folderid, srcfolderid) VALUES (?,?,?)", deferred);
        } else {
            db.writeTableProps(parents, ids, propLists);
        }
        boolean first = true;
        for (Map.Entry<Long, long[]> e : perFolder.entrySet()) {
            long[] f = e.getValue();
            List<Integer> tags = new ArrayList<>();
            List<Integer> deltas = new ArrayList<>();
            if (f[0] > 0) {
                tags.add(PropTags.CONTENT_COUNT);
                deltas.add((int) f[0]);
            }
            if (f[1] > 0) {
                tags.add(PropTags.CONTENT_UNREAD);
                deltas.add((int) f[1]);
            }
            if (f[2] > 0) {
                tags.add(PropTags.ASSOC_CONTENT_COUNT);
                deltas.add((int) f[2]);
            }
            db.addToCountersAndStoreSize(e.getKey(), tags.stream().mapToInt(Integer::intValue).toArray(), deltas.stream().mapToInt(Integer::intValue).toArray(),
                    store.hierarchyId(), first ? size : 0);
            first = false;
            db.touchCommitTime(e.getKey());
        }
        return ids;
    }

    private static String describe(Throwable e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }

    /** Fetches every blob the document references and checks its size and SHA-256, before anything is written. */
    private static Map<String, byte[]> fetchBlobs(ItemDocument doc, Function<BlobRef, byte[]> blobs) throws RestoreFailure {
        Map<String, byte[]> out = new HashMap<>();
        for (BlobRef ref : ItemDocuments.blobs(doc)) {
            if (out.containsKey(ref.getSha256())) {
                continue;
            }
            byte[] bytes;
            try {
                bytes = blobs.apply(ref);
            } catch (RuntimeException e) {
                throw new RestoreFailure("blob " + ref.getSha256() + " could not be read: " + describe(e), e);
            }
            if (bytes == null) {
                throw new RestoreFailure("blob " + ref.getSha256() + " is missing from the backup");
            }
            if (bytes.length != ref.getSize()) {
                throw new RestoreFailure("blob " + ref.getSha256() + " is corrupt: " + bytes.length + " bytes, the backup recorded " + ref.getSize());
            }
            String actual = sha256(bytes);
            if (!actual.equals(ref.getSha256())) {
                throw new RestoreFailure("blob " + ref.getSha256() + " is corrupt: its content hashes to " + actual);
            }
            out.put(ref.getSha256(), bytes);
        }
        return out;
    }

    private static void checkNames(ItemDocument doc, String where) throws RestoreFailure {
        checkNames(doc.getProps(), where);
        for (RecipientDocument r : doc.getRecipients()) {
            checkNames(r.getProps(), where + " recipient");
        }
        for (AttachmentDocument a : doc.getAttachments()) {
            checkNames(a.getProps(), where + " attachment");
            if (a.getEmbedded() != null) {
                checkNames(a.getEmbedded(), where + " embedded message");
            }
        }
    }

    /**
     * Maps every named property of the document to the target's id before the item's transaction, each new {@code names}
     * row committed on its own, as kopano-server's getIDsFromNames does. Inside the item's transaction a concurrent
     * restore's new row would be invisible to the consistent snapshot; outside, INSERT IGNORE + SELECT always see it.
     */
    private void resolveNames(ItemDocument doc) throws SQLException {
        List<io.kbr.events.schema.PropertyValue> all = new ArrayList<>(doc.getProps());
        doc.getRecipients().forEach(r -> all.addAll(r.getProps()));
        for (AttachmentDocument a : doc.getAttachments()) {
            all.addAll(a.getProps());
            if (a.getEmbedded() != null) {
                resolveNames(a.getEmbedded());
            }
        }
        for (Property p : PropertyValues.fromAvro(all)) {
            if (p.isNamed()) {
                db.names.idFor(db.c, p.named());
            }
        }
    }

    private static void checkNames(List<io.kbr.events.schema.PropertyValue> props, String where) throws RestoreFailure {
        for (var p : props) {
            if (p.getNamed() != null && p.getNamed().getName() != null && p.getNamed().getName().length() > 185) {
                throw new RestoreFailure(where + " named property '" + p.getNamed().getName().toString().substring(0, 40)
                        + "…' has a name longer than the 185 characters of names.namestring");
            }
            if (p.getId() >= PropTags.NAMED_BASE && p.getNamed() == null) {
                throw new RestoreFailure(where + " property 0x" + Integer.toHexString(p.getId()) + " is a named property without its name in the backup");
            }
            try {
                PropType.javaClass(p.getType());
            } catch (IllegalArgumentException e) {
                throw new RestoreFailure(where + " property 0x" + Integer.toHexString(p.getId()) + " has type " + p.getType() + ", which Kopano cannot store");
            }
        }
    }

    static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private long writeMessage(Store store, long folderId, ItemDocument doc, Map<String, byte[]> data, Bytes key) throws Exception {
        Bytes folderSk = folderSourceKey(folderId);
        int flags = doc.getFlags() & ObjectTypes.FLAG_ASSOCIATED;
        // The folder must still exist (and be a folder) when the row goes in: checked by the insert itself.
        long id = db.insertChecked("INSERT INTO hierarchy (parent, type, flags, owner) SELECT ?, ?, ?, ? FROM hierarchy WHERE id = ? AND type = 3",
                "target folder " + folderId + " does not exist", folderId, ObjectTypes.MESSAGE, flags, store.userId(), folderId);
        Bytes sk = db.newSourceKey();
        db.exec("INSERT INTO indexedproperties (hierarchyid, tag, val_binary) VALUES (?,?,?),(?,?,?)", id, PropTags.ENTRYID,
                EntryIds.newV1(store.guid(), ObjectTypes.MESSAGE), id, PropTags.SOURCE_KEY, sk);
        writeChildren(store, id, doc, data);
        byte[] mime = rfc822(doc, data);
        if (mime != null) {
            db.writeBlob(id, PropTags.EC_IMAP_EMAIL, mime);
        }

        // §5.2: the NEW row inside the save transaction; AddChange then writes PR_CHANGE_KEY and PR_PREDECESSOR_CHANGE_LIST.
        long changeId = db.addChange(ChangeTypes.MESSAGE_NEW, sk, folderSk, 0);
        List<Property> props = messageProps(doc, data, key, db.changeKey(changeId));
        db.writeProps(id, props);
        db.writeTableProps(folderId, id, props);

        int messageFlags = PropertyList.integer(props, PropTags.MESSAGE_FLAGS).orElse(0);
        long size = Integer.toUnsignedLong(PropertyList.integer(props, PropTags.MESSAGE_SIZE).orElse(0));
        if ((flags & ObjectTypes.FLAG_ASSOCIATED) != 0) {
            db.addToCountersAndStoreSize(folderId, new int[] {PropTags.ASSOC_CONTENT_COUNT}, new int[] {1}, store.hierarchyId(), size);
        } else if ((messageFlags & 1) == 0) {
            db.addToCountersAndStoreSize(folderId, new int[] {PropTags.CONTENT_COUNT, PropTags.CONTENT_UNREAD}, new int[] {1, 1}, store.hierarchyId(), size);
        } else {
            db.addToCountersAndStoreSize(folderId, new int[] {PropTags.CONTENT_COUNT}, new int[] {1}, store.hierarchyId(), size);
        }
        db.touchCommitTime(folderId);
        return id;
    }

    /**
     * The properties written for a top-level message: the document's, named ones mapped, without what is identity or
     * given out by the server, plus a new PR_EC_IMAP_ID, PR_EC_BACKUP_SOURCE_KEY, PR_MESSAGE_SIZE / times if missing,
     * and PR_CHANGE_KEY / PR_PREDECESSOR_CHANGE_LIST for the item's ICS change.
     */
    private List<Property> messageProps(ItemDocument doc, Map<String, byte[]> data, Bytes key, Bytes changeKey) throws SQLException {
        List<Property> props = mapped(doc.getProps());
        props.removeIf(p -> !p.isNamed() && (NOT_COPIED.contains(p.id()) || p.id() == PropTags.DELETED_ON || p.id() == PropTags.EC_IMAP_ID
                || p.id() == EC_BACKUP_SOURCE_KEY || p.id() == PropTags.CHANGE_KEY || p.id() == PropTags.PREDECESSOR_CHANGE_LIST));
        props.add(Property.of(PropTags.EC_IMAP_ID, PropType.LONG, (int) db.newImapId()));
        if (key != null) {
            props.add(Property.of(EC_BACKUP_SOURCE_KEY, PropType.BINARY, key));
        }
        if (PropertyList.find(props, PropTags.MESSAGE_SIZE).isEmpty()) {
            props.add(Property.of(PropTags.MESSAGE_SIZE, PropType.LONG, (int) Math.min(Integer.MAX_VALUE, estimateSize(doc, data))));
        }
        long now = db.now();
        if (PropertyList.find(props, PropTags.CREATION_TIME).isEmpty()) {
            props.add(Property.of(PropTags.CREATION_TIME, PropType.SYSTIME, now));
        }
        if (PropertyList.find(props, PropTags.LAST_MODIFICATION_TIME).isEmpty()) {
            props.add(Property.of(PropTags.LAST_MODIFICATION_TIME, PropType.SYSTIME, now));
        }
        Bytes oldCk = value(doc.getProps(), PropTags.CHANGE_KEY);
        Bytes oldPcl = value(doc.getProps(), PropTags.PREDECESSOR_CHANGE_LIST);
        props.add(Property.of(PropTags.CHANGE_KEY, PropType.BINARY, changeKey));
        props.add(Property.of(PropTags.PREDECESSOR_CHANGE_LIST, PropType.BINARY, ChangeLists.add(ChangeLists.add(oldPcl, oldCk), changeKey)));
        return props;
    }

    private static Bytes value(List<io.kbr.events.schema.PropertyValue> props, int id) {
        for (var p : props) {
            if (p.getId() == id && p.getNamed() == null && p.getType() == PropType.BINARY) {
                return Bytes.wrap(PropertyValues.bytes((java.nio.ByteBuffer) p.getValue()));
            }
        }
        return null;
    }

    /** Recipients and attachments: their hierarchy rows in one statement, their properties in one batch, then the data. */
    private void writeChildren(Store store, long messageId, ItemDocument doc, Map<String, byte[]> data) throws Exception {
        int nr = doc.getRecipients().size();
        int na = doc.getAttachments().size();
        if (nr + na == 0) {
            return;
        }
        List<Object[]> rows = new ArrayList<>(nr + na);
        List<List<Property>> props = new ArrayList<>(nr + na);
        for (RecipientDocument r : doc.getRecipients()) {
            rows.add(new Object[] {messageId, r.getObjectType(), 0, store.userId()});
            props.add(mapped(r.getProps()));
        }
        for (AttachmentDocument a : doc.getAttachments()) {
            rows.add(new Object[] {messageId, ObjectTypes.ATTACH, 0, store.userId()});
            List<Property> ap = mapped(a.getProps());
            ap.removeIf(p -> !p.isNamed() && NOT_COPIED.contains(p.id()));
            props.add(ap);
        }
        // One multi-row INSERT: the ids come back in row order (consecutive auto-increment for a simple insert).
        List<Long> ids = db.insertRows("hierarchy", "parent, type, flags, owner", rows.size(), rows);
        db.writeProps(ids, props);
        for (int i = 0; i < na; i++) {
            AttachmentDocument a = doc.getAttachments().get(i);
            long aid = ids.get(nr + i);
            if (a.getData() != null) {
                db.writeBlob(aid, PropTags.ATTACH_DATA_BIN, data.get(a.getData().getSha256()));
            }
            if (a.getEmbedded() != null) {
                writeEmbedded(store, aid, a.getEmbedded(), data);
            }
        }
    }

    /** An embedded message: type 5 under the attachment, a fresh sourcekey, no entryid (§4.1, §4.2). */
    private void writeEmbedded(Store store, long attachId, ItemDocument doc, Map<String, byte[]> data) throws Exception {
        long id = db.insert("INSERT INTO hierarchy (parent, type, flags, owner) VALUES (?,?,?,?)", attachId, ObjectTypes.MESSAGE,
                doc.getFlags() & ~ObjectTypes.FLAG_DELETED, store.userId());
        db.indexed(id, PropTags.SOURCE_KEY, db.newSourceKey());
        writeChildren(store, id, doc, data);
        byte[] mime = rfc822(doc, data);
        if (mime != null) {
            db.writeBlob(id, PropTags.EC_IMAP_EMAIL, mime);
        }
        List<Property> props = mapped(doc.getProps());
        props.removeIf(p -> !p.isNamed() && NOT_COPIED.contains(p.id()));
        db.writeProps(id, props);
    }

    private static byte[] rfc822(ItemDocument doc, Map<String, byte[]> data) {
        if (doc.getRfc822Inline() != null) {
            return PropertyValues.bytes(doc.getRfc822Inline());
        }
        return doc.getRfc822() == null ? null : data.get(doc.getRfc822().getSha256());
    }

    /** §3.6: named properties get the target database's id for their name, creating {@code names} rows as needed. */
    private List<Property> mapped(List<io.kbr.events.schema.PropertyValue> in) throws SQLException {
        List<Property> out = new ArrayList<>(in.size());
        for (Property p : PropertyValues.fromAvro(in)) {
            out.add(p.isNamed() ? p.withId(db.names.idFor(db.c, p.named())) : p);
        }
        return out;
    }

    private static long estimateSize(ItemDocument doc, Map<String, byte[]> data) {
        long size = 0;
        for (var p : doc.getProps()) {
            size += p.getValue() instanceof CharSequence s ? s.length() : p.getValue() instanceof java.nio.ByteBuffer b ? b.remaining() : 8;
        }
        for (AttachmentDocument a : doc.getAttachments()) {
            if (a.getData() != null) {
                size += a.getData().getSize();
            }
            if (a.getEmbedded() != null) {
                size += estimateSize(a.getEmbedded(), data);
            }
        }
        byte[] mime = rfc822(doc, data);
        return size + (mime == null ? 0 : mime.length);
    }

    // ---------------------------------------------------------------------------------------------------
    // Undelete (§6.4) and hard delete (§6.3)

    /**
     * Undeletes a soft-deleted message (or moves a message out of a soft-deleted folder) into {@code destFolderId}, as
     * kopano-server's MoveObjects does: parent and flags, a new entryid, sourcekey and IMAP id, PR_LAST_MODIFICATION_TIME
     * now, PR_DELETED_ON removed, ICS rows, a deferredupdate row, counters moved from deleted to live and the size
     * added back to the store. kbr additionally stamps the old sourcekey as PR_EC_BACKUP_SOURCE_KEY (when the message
     * has none), so a later restore of the same backed-up item recognises it.
     */
    public ItemOutcome undelete(Store store, long messageId, long destFolderId) {
        Bytes[] key = new Bytes[1];
        try {
            db.inTransaction(() -> {
                key[0] = db.sourceKeyOf(messageId);
                undeleteNoTx(store, messageId, destFolderId, key[0]);
                return null;
            });
            indexes.remove(store.hierarchyId());
            return new ItemOutcome(ItemOutcome.Status.UNDELETED, messageId, null, key[0], null);
        } catch (Exception e) {
            indexes.remove(store.hierarchyId());
            return ItemOutcome.failed(key[0], "not undeleted, nothing written: " + describe(e));
        }
    }

    /**
     * The softdelete path (ARCHITECTURE.md): undeletes a soft-deleted message into the folder it is in, which is what
     * WebApp's "Restore deleted items" does. A message that is live, or whose folder is itself soft-deleted, is
     * reported as FAILED (a deleted folder must be undeleted first, or the message restored to another folder with
     * {@link #undelete}).
     */
    public ItemOutcome undeleteInPlace(Store store, long messageId) {
        try {
            long[] row = db.hierarchyRow(messageId);
            if (row == null || row[1] != ObjectTypes.MESSAGE) {
                return ItemOutcome.failed(null, "message " + messageId + " does not exist");
            }
            if ((row[2] & ObjectTypes.FLAG_DELETED) == 0) {
                return ItemOutcome.failed(db.sourceKeyOf(messageId), "message " + messageId + " is not soft-deleted");
            }
            if (db.ancestorDeleted(row[0])) {
                return ItemOutcome.failed(db.sourceKeyOf(messageId), "the folder of message " + messageId + " is soft-deleted itself");
            }
            return undelete(store, messageId, row[0]);
        } catch (SQLException e) {
            return ItemOutcome.failed(null, "not undeleted, nothing written: " + describe(e));
        }
    }

    /**
     * Undeletes a soft-deleted folder (with everything below it) into {@code destFolderId}, as kopano-server's copyFolder
     * with FOLDER_MOVE does (§6.4): parent and flags, PR_DELETED_ON removed, the folder's size added back to the store,
     * ICS FOLDER_CHANGE rows for the old and the new parent, PR_DELETED_FOLDER_COUNT −1 on the old parent,
     * PR_FOLDER_CHILD_COUNT +1 and PR_SUBFOLDERS on the destination, a deferredupdate row. Entryid and sourcekey stay.
     * Fails (nothing written) when the destination already has a live folder of the same name (KCERR_COLLISION).
     */
    public ItemOutcome undeleteFolder(Store store, long folderId, long destFolderId) {
        Bytes[] sk = new Bytes[1];
        try {
            db.inTransactionRetrying(() -> {
                long[] row = db.hierarchyRow(folderId);
                if (row == null || row[1] != ObjectTypes.FOLDER) {
                    throw new SQLException("folder " + folderId + " does not exist");
                }
                long parent = row[0];
                boolean deleted = (row[2] & ObjectTypes.FLAG_DELETED) != 0;
                sk[0] = db.sourceKeyOf(folderId);
                if (!deleted && parent == destFolderId) {
                    return null;
                }
                if (!db.ids("SELECT h.id FROM hierarchy h JOIN properties p ON p.hierarchyid = h.id AND p.tag = ? AND p.type = 30"
                        + " JOIN properties q ON q.hierarchyid = ? AND q.tag = ? AND q.type = 30 WHERE h.parent = ? AND h.type = 3"
                        + " AND h.flags & 1024 = 0 AND h.id <> ? AND p.val_string = q.val_string LIMIT 1", PropTags.DISPLAY_NAME, folderId,
                        PropTags.DISPLAY_NAME, destFolderId, folderId).isEmpty()) {
                    throw new SQLException("the destination folder already has a folder of that name");
                }
                long size = 0;
                if (deleted) {
                    for (long f : subtreeFolders(folderId)) {
                        size += db.ids("SELECT COALESCE(SUM(p.val_ulong), 0) FROM hierarchy h JOIN properties p ON p.hierarchyid = h.id"
                                + " AND p.tag = ? AND p.type = 3 WHERE h.parent = ? AND h.type = 5 AND h.flags & 1024 = 0", PropTags.MESSAGE_SIZE, f).get(0);
                    }
                }
                db.exec("UPDATE hierarchy SET parent = ?, flags = flags & ? WHERE id = ?", destFolderId, ~ObjectTypes.FLAG_DELETED & 0xFFFF, folderId);
                db.deleteProp(folderId, PropTags.DELETED_ON, PropType.SYSTIME);
                db.addStoreSize(store.hierarchyId(), size);
                Bytes parentSk = db.sourceKeyOf(parent);
                Bytes destSk = db.sourceKeyOf(destFolderId);
                if (sk[0] != null && parentSk != null) {
                    db.addChange(ChangeTypes.FOLDER_CHANGE, sk[0], parentSk, 0);
                }
                if (sk[0] != null && destSk != null) {
                    db.addChange(ChangeTypes.FOLDER_CHANGE, sk[0], destSk, 0);
                }
                if (deleted) {
                    db.addToCounter(parent, PropTags.DELETED_FOLDER_COUNT, -1);
                } else {
                    db.addToCounter(parent, PropTags.FOLDER_CHILD_COUNT, -1);
                    if (db.ids("SELECT id FROM hierarchy WHERE parent = ? AND type = 3 AND flags & 1024 = 0 LIMIT 1", parent).isEmpty()) {
                        db.setBoolean(parent, PropTags.SUBFOLDERS, false);
                    }
                }
                db.setBoolean(destFolderId, PropTags.SUBFOLDERS, true);
                db.addToCounter(destFolderId, PropTags.FOLDER_CHILD_COUNT, 1);
                db.deferredUpdate(folderId, destFolderId, parent);
                return null;
            });
            indexes.remove(store.hierarchyId());
            return new ItemOutcome(ItemOutcome.Status.UNDELETED, folderId, null, sk[0], null);
        } catch (Exception e) {
            indexes.remove(store.hierarchyId());
            return ItemOutcome.failed(sk[0], "folder not undeleted, nothing written: " + describe(e));
        }
    }

    private List<Long> subtreeFolders(long root) throws SQLException {
        List<Long> out = new ArrayList<>();
        Deque<Long> queue = new ArrayDeque<>(List.of(root));
        while (!queue.isEmpty()) {
            long id = queue.poll();
            out.add(id);
            queue.addAll(db.ids("SELECT id FROM hierarchy WHERE parent = ? AND type = 3", id));
        }
        return out;
    }

    private void undeleteNoTx(Store store, long id, long dest, Bytes backupKey) throws Exception {
        long[] row = db.hierarchyRow(id);
        if (row == null || row[1] != ObjectTypes.MESSAGE) {
            throw new SQLException("message " + id + " does not exist");
        }
        long parent = row[0];
        int flags = (int) row[2];
        boolean deleted = (flags & ObjectTypes.FLAG_DELETED) != 0;
        if (parent == dest && !deleted) {
            return; // MoveObjects skips a move to the same parent of a live message
        }
        Bytes oldSk = db.sourceKeyOf(id);
        Bytes parentSk = db.sourceKeyOf(parent);
        Bytes destSk = db.sourceKeyOf(dest);
        if (destSk == null) {
            throw new SQLException("destination folder " + dest + " has no sourcekey");
        }
        db.indexed(id, PropTags.ENTRYID, EntryIds.newV1(store.guid(), ObjectTypes.MESSAGE));
        Bytes newSk = db.newSourceKey();
        db.indexed(id, PropTags.SOURCE_KEY, newSk);
        db.upsertProp(id, Property.of(PropTags.EC_IMAP_ID, PropType.LONG, (int) db.newImapId()));
        db.exec("UPDATE hierarchy SET parent = ?, flags = flags & ? WHERE id = ?", dest, ~ObjectTypes.FLAG_DELETED & 0xFFFF, id);
        db.upsertProp(id, Property.of(PropTags.LAST_MODIFICATION_TIME, PropType.SYSTIME, db.now()));
        db.deleteProp(id, PropTags.DELETED_ON, PropType.SYSTIME);
        if (backupKey != null && db.ids("SELECT hierarchyid FROM properties WHERE hierarchyid = ? AND tag = ? AND type = ?", id,
                EC_BACKUP_SOURCE_KEY, PropType.BINARY).isEmpty()) {
            db.writeProps(id, List.of(Property.of(EC_BACKUP_SOURCE_KEY, PropType.BINARY, backupKey)));
        }
        long changeId = -1;
        if (parent != dest) {
            if (oldSk != null && parentSk != null) {
                db.addChange(ChangeTypes.MESSAGE_HARD_DELETE, oldSk, parentSk, 0);
            }
            changeId = db.addChange(ChangeTypes.MESSAGE_NEW, newSk, destSk, 0);
        } else if (deleted) {
            changeId = db.addChange(ChangeTypes.MESSAGE_NEW, newSk, destSk, 0);
        }
        if (changeId >= 0) {
            stampChange(id, changeId);
        }
        db.deferredUpdate(id, dest, parent);
        int msgFlags = db.intProp(id, PropTags.MESSAGE_FLAGS);
        boolean assoc = (flags & ObjectTypes.FLAG_ASSOCIATED) != 0;
        if (deleted) {
            if (assoc) {
                db.addToCounter(parent, PropTags.DELETED_ASSOC_MSG_COUNT, -1);
                db.addToCounter(dest, PropTags.ASSOC_CONTENT_COUNT, 1);
            } else {
                db.addToCounter(parent, PropTags.DELETED_MSG_COUNT, -1);
                db.addToCounter(dest, PropTags.CONTENT_COUNT, 1);
                if ((msgFlags & 1) == 0) {
                    db.addToCounter(dest, PropTags.CONTENT_UNREAD, 1);
                }
            }
            db.addStoreSize(store.hierarchyId(), Integer.toUnsignedLong(db.intProp(id, PropTags.MESSAGE_SIZE)));
        } else {
            db.addToCounter(parent, PropTags.CONTENT_COUNT, -1);
            db.addToCounter(dest, PropTags.CONTENT_COUNT, 1);
            if ((msgFlags & 1) == 0) {
                db.addToCounter(parent, PropTags.CONTENT_UNREAD, -1);
                db.addToCounter(dest, PropTags.CONTENT_UNREAD, 1);
            }
        }
    }

    /** AddChange (ECICS.cpp): PR_CHANGE_KEY = server GUID + change id, merged into PR_PREDECESSOR_CHANGE_LIST. */
    private void stampChange(long id, long changeId) throws SQLException {
        Bytes oldCk = binaryProp(id, PropTags.CHANGE_KEY);
        Bytes oldPcl = binaryProp(id, PropTags.PREDECESSOR_CHANGE_LIST);
        Bytes ck = db.changeKey(changeId);
        db.upsertProp(id, Property.of(PropTags.CHANGE_KEY, PropType.BINARY, ck));
        db.upsertProp(id, Property.of(PropTags.PREDECESSOR_CHANGE_LIST, PropType.BINARY, ChangeLists.add(ChangeLists.add(oldPcl, oldCk), ck)));
    }

    private Bytes binaryProp(long id, int tag) throws SQLException {
        try (PreparedStatement ps = db.c.prepareStatement("SELECT val_binary FROM properties WHERE hierarchyid = ? AND tag = ? AND type = 258")) {
            ps.setLong(1, id);
            ps.setInt(2, tag);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Bytes.wrap(rs.getBytes(1)) : null;
            }
        }
    }

    /**
     * Hard-deletes a message directly in a folder with all its children as DeleteObjectHard does (§6.3): the rows of
     * every table, single instances (backend data of orphaned instances after commit), folder counters, store size
     * and an ICS HARD_DELETE row.
     */
    public void hardDeleteMessage(Store store, long messageId) throws Exception {
        db.inTransaction(() -> {
            hardDeleteNoTx(store, messageId);
            return null;
        });
        StoreIndex idx = indexes.get(store.hierarchyId());
        if (idx != null) {
            idx.forget(messageId);
        }
    }

    private void hardDeleteNoTx(Store store, long id) throws SQLException {
        long[] row = db.hierarchyRow(id);
        if (row == null || row[1] != ObjectTypes.MESSAGE) {
            throw new SQLException("message " + id + " does not exist");
        }
        long folder = row[0];
        int flags = (int) row[2];
        Bytes sk = db.sourceKeyOf(id);
        Bytes folderSk = db.sourceKeyOf(folder);
        int msgFlags = db.intProp(id, PropTags.MESSAGE_FLAGS);
        long size = Integer.toUnsignedLong(db.intProp(id, PropTags.MESSAGE_SIZE));
        boolean folderDeleted = db.ancestorDeleted(folder);
        deleteObjects(subtree(id));
        boolean assoc = (flags & ObjectTypes.FLAG_ASSOCIATED) != 0;
        if ((flags & ObjectTypes.FLAG_DELETED) != 0) {
            db.addToCounter(folder, assoc ? PropTags.DELETED_ASSOC_MSG_COUNT : PropTags.DELETED_MSG_COUNT, -1);
        } else {
            if (assoc) {
                db.addToCounter(folder, PropTags.ASSOC_CONTENT_COUNT, -1);
            } else {
                db.addToCounter(folder, PropTags.CONTENT_COUNT, -1);
                if ((msgFlags & 1) == 0) {
                    db.addToCounter(folder, PropTags.CONTENT_UNREAD, -1);
                }
            }
            if (!folderDeleted) {
                db.addStoreSize(store.hierarchyId(), -size);
            }
        }
        if (sk != null && folderSk != null) {
            db.addChange(ChangeTypes.MESSAGE_HARD_DELETE, sk, folderSk, 0);
        }
    }

    /**
     * Hard-deletes a folder with its subfolders and every message in them (§6.3): messages as
     * {@link #hardDeleteMessage}, folder rows, the parent's counters and ICS FOLDER_HARD_DELETE rows.
     */
    public void hardDeleteFolder(Store store, long folderId) throws Exception {
        db.inTransaction(() -> {
            hardDeleteFolderNoTx(store, folderId);
            return null;
        });
        indexes.remove(store.hierarchyId());
    }

    private void hardDeleteFolderNoTx(Store store, long folderId) throws SQLException {
        for (long sub : db.ids("SELECT id FROM hierarchy WHERE parent = ? AND type = 3", folderId)) {
            hardDeleteFolderNoTx(store, sub);
        }
        for (long msg : db.ids("SELECT id FROM hierarchy WHERE parent = ? AND type = 5", folderId)) {
            hardDeleteNoTx(store, msg);
        }
        long[] row = db.hierarchyRow(folderId);
        long parent = row[0];
        boolean deleted = (row[2] & ObjectTypes.FLAG_DELETED) != 0;
        Bytes sk = db.sourceKeyOf(folderId);
        Bytes parentSk = db.sourceKeyOf(parent);
        db.exec("DELETE FROM tproperties WHERE folderid = ?", folderId);
        db.exec("DELETE FROM receivefolder WHERE objid = ?", folderId);
        deleteObjects(List.of(folderId));
        db.addToCounter(parent, deleted ? PropTags.DELETED_FOLDER_COUNT : PropTags.FOLDER_CHILD_COUNT, -1);
        if (db.ids("SELECT id FROM hierarchy WHERE parent = ? AND type = 3 AND flags & 1024 = 0 LIMIT 1", parent).isEmpty()) {
            db.setBoolean(parent, PropTags.SUBFOLDERS, false);
        }
        if (sk != null && parentSk != null) {
            db.addChange(ChangeTypes.FOLDER_HARD_DELETE, sk, parentSk, 0);
        }
    }

    private List<Long> subtree(long root) throws SQLException {
        List<Long> out = new ArrayList<>();
        Deque<Long> queue = new ArrayDeque<>(List.of(root));
        while (!queue.isEmpty()) {
            long id = queue.poll();
            out.add(id);
            queue.addAll(db.ids("SELECT id FROM hierarchy WHERE parent = ?", id));
        }
        return out;
    }

    private void deleteObjects(List<Long> ids) throws SQLException {
        String in = TargetDb.placeholders(ids.size());
        Object[] args = ids.toArray();
        db.exec("DELETE FROM outgoingqueue WHERE hierarchy_id IN (" + in + ")", args);
        db.exec("DELETE FROM tproperties WHERE hierarchyid IN (" + in + ")", args);
        db.exec("DELETE FROM properties WHERE hierarchyid IN (" + in + ")", args);
        db.exec("DELETE FROM mvproperties WHERE hierarchyid IN (" + in + ")", args);
        db.exec("DELETE FROM acl WHERE hierarchy_id IN (" + in + ")", args);
        db.exec("DELETE FROM indexedproperties WHERE hierarchyid IN (" + in + ")", args);
        db.exec("DELETE FROM deferredupdate WHERE hierarchyid IN (" + in + ")", args);
        db.deleteSingleInstances(ids);
        db.exec("DELETE FROM hierarchy WHERE id IN (" + in + ")", args);
    }

    // ---------------------------------------------------------------------------------------------------
    // Finding an existing copy of an item in the target store

    private record Existing(long id, long parent, boolean deleted) {
    }

    StoreIndex index(Store store) throws SQLException {
        StoreIndex idx = indexes.get(store.hierarchyId());
        if (idx == null) {
            idx = new StoreIndex(store);
            indexes.put(store.hierarchyId(), idx);
        }
        return idx;
    }

    /**
     * The folders of a store and the backup sourcekeys of its messages, loaded once per restorer: one query per
     * folder level plus one per folder page, using the {@code (parent, type, flags)} index and the properties PK.
     */
    final class StoreIndex {
        final Map<Long, Long> folderParent = new HashMap<>();
        final Map<Long, Integer> folderFlags = new HashMap<>();
        final Map<Bytes, Long> backupKeys = new HashMap<>();
        final long rootFolder;

        StoreIndex(Store store) throws SQLException {
            rootFolder = store.rootFolderId();
            List<Long> level = List.of(store.rootFolderId());
            long[] root = db.hierarchyRow(rootFolder);
            folderParent.put(rootFolder, root == null ? 0 : root[0]);
            folderFlags.put(rootFolder, root == null ? 0 : (int) root[2]);
            while (!level.isEmpty()) {
                List<Long> next = new ArrayList<>();
                for (int i = 0; i < level.size(); i += 128) {
                    List<Long> page = level.subList(i, Math.min(level.size(), i + 128));
                    try (PreparedStatement ps = db.c.prepareStatement("SELECT id, parent, flags FROM hierarchy WHERE parent IN ("
                            + TargetDb.placeholders(page.size()) + ") AND type = 3")) {
                        for (int j = 0; j < page.size(); j++) {
                            ps.setLong(j + 1, page.get(j));
                        }
                        try (ResultSet rs = ps.executeQuery()) {
                            while (rs.next()) {
                                folderParent.put(rs.getLong(1), rs.getLong(2));
                                folderFlags.put(rs.getLong(1), rs.getInt(3));
                                next.add(rs.getLong(1));
                            }
                        }
                    }
                    try (PreparedStatement ps = db.c.prepareStatement("SELECT p.hierarchyid, p.val_binary FROM hierarchy h JOIN properties p"
                            + " ON p.hierarchyid = h.id AND p.tag = ? AND p.type = 258 WHERE h.parent IN (" + TargetDb.placeholders(page.size())
                            + ") AND h.type = 5")) {
                        ps.setInt(1, EC_BACKUP_SOURCE_KEY);
                        for (int j = 0; j < page.size(); j++) {
                            ps.setLong(j + 2, page.get(j));
                        }
                        try (ResultSet rs = ps.executeQuery()) {
                            while (rs.next()) {
                                backupKeys.put(Bytes.wrap(rs.getBytes(2)), rs.getLong(1));
                            }
                        }
                    }
                }
                level = next;
            }
        }

        void remember(Bytes key, long id) {
            backupKeys.put(key, id);
        }

        void forget(long id) {
            backupKeys.values().removeIf(v -> v == id);
        }

        boolean folderDeleted(long folder) {
            Long cur = folder;
            for (int depth = 0; cur != null && depth < 64; depth++) {
                Integer f = folderFlags.get(cur);
                if (f == null) {
                    return false;
                }
                if ((f & ObjectTypes.FLAG_DELETED) != 0) {
                    return true;
                }
                cur = folderParent.get(cur);
            }
            return false;
        }

        /**
         * The live sourcekeys among the keys of {@code items} that are not known backup keys, in one query: what
         * {@link #find(Bytes, Bytes, Map)} would otherwise look up one statement per item.
         */
        Map<Bytes, Long> liveSourceKeys(List<BatchItem> items) throws SQLException {
            List<Bytes> wanted = new ArrayList<>();
            for (BatchItem it : items) {
                Bytes key = backupSourceKey(it.doc());
                if (key == null || backupKeys.containsKey(key)) {
                    continue;
                }
                wanted.add(key);
                if (it.doc().getSourceKey() != null) {
                    Bytes sk = Bytes.wrap(PropertyValues.bytes(it.doc().getSourceKey()));
                    if (!sk.equals(key)) {
                        wanted.add(sk);
                    }
                }
            }
            Map<Bytes, Long> found = new HashMap<>();
            for (Bytes b : wanted) {
                found.put(b, null);
            }
            if (wanted.isEmpty()) {
                return found;
            }
            try (PreparedStatement ps = db.c.prepareStatement("SELECT hierarchyid, val_binary FROM indexedproperties WHERE tag = ? AND val_binary IN ("
                    + TargetDb.placeholders(wanted.size()) + ")")) {
                ps.setInt(1, PropTags.SOURCE_KEY);
                for (int i = 0; i < wanted.size(); i++) {
                    ps.setBytes(i + 2, wanted.get(i).unsafeArray());
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        found.put(Bytes.wrap(rs.getBytes(2)), rs.getLong(1));
                    }
                }
            }
            return found;
        }

        /** A message of this store, directly in one of its folders, carrying {@code key} as backup key or as live sourcekey. */
        Existing find(Bytes key, Bytes docSourceKey) throws SQLException {
            return find(key, docSourceKey, Map.of());
        }

        /** {@link #find(Bytes, Bytes)} with live sourcekeys already looked up ({@code live} has an entry, maybe null, for each key asked). */
        Existing find(Bytes key, Bytes docSourceKey, Map<Bytes, Long> live) throws SQLException {
            Long byBackup = backupKeys.get(key);
            if (byBackup != null) {
                Existing e = existing(byBackup);
                if (e != null) {
                    return e;
                }
                backupKeys.remove(key);
            }
            for (Bytes sk : docSourceKey == null || docSourceKey.equals(key) ? List.of(key) : List.of(key, docSourceKey)) {
                Long liveId = live.containsKey(sk) ? live.get(sk) : db.byIndexed(PropTags.SOURCE_KEY, sk);
                if (liveId != null) {
                    Existing e = existing(liveId);
                    if (e != null) {
                        return e;
                    }
                }
            }
            return null;
        }

        private Existing existing(long id) throws SQLException {
            long[] row = db.hierarchyRow(id);
            if (row == null || row[1] != ObjectTypes.MESSAGE || !folderParent.containsKey(row[0])) {
                return null;
            }
            boolean deleted = (row[2] & ObjectTypes.FLAG_DELETED) != 0 || folderDeleted(row[0]);
            return new Existing(id, row[0], deleted);
        }
    }

    // ---------------------------------------------------------------------------------------------------
    // Store metadata (§9)

    /**
     * Restores store settings (the §9.4 properties of the store object), the Inbox rules blob, ACLs (grantees mapped
     * by login name, then externid, to the target's {@code users.id}; the store object, or folders found through
     * {@code folderMap}, by live sourcekey, or by the PR_EC_BACKUP_SOURCE_KEY of a restored folder) and the delegate
     * list with its flags, in one transaction. Entries that cannot be mapped are reported, not guessed.
     *
     * @param folderMap backed-up folder sourcekey to target folder id, for folders restored elsewhere; may be null
     */
    public MetadataOutcome restoreMetadata(Store store, io.kbr.events.schema.StoreMetadataDocument md, Map<Bytes, Long> folderMap) throws Exception {
        StoreIndex idx = index(store);
        return db.inTransaction(() -> new MetadataWriter(db, idx, store).write(md, folderMap));
    }

    /** For tests and tools: the bytes of a {@link java.io.InputStream}-based blob source as the function the restorer takes. */
    public static Function<BlobRef, byte[]> fromStreams(Function<BlobRef, java.io.InputStream> open) {
        return ref -> {
            try (java.io.InputStream in = open.apply(ref)) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                in.transferTo(out);
                return out.toByteArray();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
    }
}
