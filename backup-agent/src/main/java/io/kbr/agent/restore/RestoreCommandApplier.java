package io.kbr.agent.restore;

import io.kbr.events.AvroCodec;
import io.kbr.events.schema.BlobRef;
import io.kbr.events.schema.ItemDocument;
import io.kbr.events.schema.RestoreCommand;
import io.kbr.events.schema.RestoreCommandItem;
import io.kbr.events.schema.RestoreEvent;
import io.kbr.events.schema.RestoreEventKind;
import io.kbr.events.schema.RestoreItemOutcome;
import io.kbr.events.schema.RestoreMetadataFolder;
import io.kbr.events.schema.RestorePath;
import io.kbr.events.schema.StoreMetadataDocument;
import io.kbr.kopano.model.Bytes;
import io.kbr.kopano.model.Folder;
import io.kbr.kopano.model.PropTags;
import io.kbr.kopano.model.Store;
import io.kbr.kopano.read.KopanoReader;
import io.kbr.kopano.write.AttachmentStorage;
import io.kbr.restore.kopano.ConflictMode;
import io.kbr.restore.kopano.FolderSpec;
import io.kbr.restore.kopano.ItemOutcome;
import io.kbr.restore.kopano.KopanoRestorer;
import io.kbr.restore.kopano.MetadataOutcome;
import io.kbr.restore.kopano.SourceKeyPolicy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Applies one {@link RestoreCommand} to the Kopano database with {@code libs/kopano-restore}: its brick-level items with
 * {@link KopanoRestorer#restoreBatch} (many items per transaction, each all-or-nothing; or one transaction per item with
 * {@code itemsPerTransaction=1}), documents and blobs read in parallel ahead of the writes, the command's conflict mode and restore root, the softdelete path as an in-place undelete.
 * Returns one {@code ITEM} event per item with a deterministic id ({@code <commandId>/<sourceKey>}), so that a
 * redelivered outcome is counted once by the catalog. Recognising an already-applied item is the caller's job
 * (see {@link AppliedCommands}): it passes the outcomes it already knows, which are returned without touching Kopano.
 *
 * <p>The restore root is a path below the target's IPM subtree ({@code Restored/alice} → {@code IPM_SUBTREE/Restored/alice}).
 * The softdelete path finds the message by its original sourcekey in the target store through
 * {@link KopanoRestorer#findMessage} — by its live sourcekey, or by PR_EC_BACKUP_SOURCE_KEY once an earlier undelete gave it
 * a new one — and answers {@code SKIPPED_DUPLICATE} when it is live already.
 */
public final class RestoreCommandApplier {
    private static final AvroCodec<ItemDocument> DOCUMENTS = AvroCodec.of(ItemDocument.class);
    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(RestoreCommandApplier.class);

    private final Clock clock;
    private final SourceKeyPolicy sourceKeys;
    private final int itemsPerTransaction;

    public RestoreCommandApplier(Clock clock) {
        this(clock, SourceKeyPolicy.serverCounter());
    }

    /**
     * {@link #DEFAULT_ITEMS_PER_TRANSACTION} items per transaction.
     *
     * @param sourceKeys {@link SourceKeyPolicy#agent} while kopano-server runs (docs/restore-writing.md)
     */
    public RestoreCommandApplier(Clock clock, SourceKeyPolicy sourceKeys) {
        this(clock, sourceKeys, DEFAULT_ITEMS_PER_TRANSACTION);
    }

    /** The default of {@code kbr.agent.restore.items-per-transaction}. */
    public static final int DEFAULT_ITEMS_PER_TRANSACTION = 100;

    /**
     * @param itemsPerTransaction 1: every brick-level item in its own transaction ({@link KopanoRestorer#restore}); more:
     *                            {@link KopanoRestorer#restoreBatch} with up to that many consecutive brick-level items of a
     *                            command per transaction, each item still all-or-nothing; the outcomes of each transaction
     *                            are remembered right after it committed
     */
    public RestoreCommandApplier(Clock clock, SourceKeyPolicy sourceKeys, int itemsPerTransaction) {
        this(clock, sourceKeys, itemsPerTransaction, true);
    }

    /**
     * @param deferTableRows true (the default): batches make their items visible in table views with one
     *                       {@code deferredupdate} row per item, as kopano-server's own save does, instead of the
     *                       {@code tproperties} rows ({@link KopanoRestorer#deferTableRows}); false: {@code tproperties}
     */
    public RestoreCommandApplier(Clock clock, SourceKeyPolicy sourceKeys, int itemsPerTransaction, boolean deferTableRows) {
        this.clock = clock;
        this.sourceKeys = sourceKeys;
        this.itemsPerTransaction = Math.max(1, itemsPerTransaction);
        this.deferTableRows = deferTableRows;
    }

    private final boolean deferTableRows;

    /** @param blobs a verified read of a backup blob (BlobStore/StoredBlobs); throws for a corrupt or missing one */
    public List<RestoreEvent> apply(RestoreCommand cmd, Connection c, AttachmentStorage storage, Function<BlobRef, byte[]> blobs) {
        return apply(cmd, c, storage, blobs, Map.of(), e -> {
        });
    }

    /**
     * Applies the items of {@code cmd} whose event id is not in {@code known} (those are returned as they are), calling
     * {@code applied} right after each item's transaction with its event — before the next item starts.
     */
    public List<RestoreEvent> apply(RestoreCommand cmd, Connection c, AttachmentStorage storage, Function<BlobRef, byte[]> blobs,
            Map<String, RestoreEvent> known, Consumer<RestoreEvent> applied) {
        List<RestoreEvent> out = new ArrayList<>();
        List<RestoreCommandItem> todo = new ArrayList<>();
        for (RestoreCommandItem item : cmd.getItems()) {
            if (!known.containsKey(eventId(cmd, item.getSourceKey()))) {
                todo.add(item);
            }
        }
        boolean metadataTodo = cmd.getMetadata() != null && !known.containsKey(eventId(cmd, METADATA_KEY));
        KopanoRestorer restorer = null;
        Store store = null;
        String unavailable = null;
        if (!todo.isEmpty() || metadataTodo) {
            try {
                restorer = new KopanoRestorer(c, storage, clock, sourceKeys);
                store = storeByGuid(c, storage, cmd.getTargetStoreGuid());
            } catch (SQLException | RuntimeException e) {
                unavailable = "target store unavailable: " + e.getMessage();
            }
        }
        ConflictMode mode = ConflictMode.valueOf(cmd.getConflictMode());
        List<String> root = restoreRoot(cmd.getRestoreRoot());
        List<RestoreCommandItem> items = cmd.getItems();
        RestoreEvent[] events = new RestoreEvent[items.size()];
        Map<String, Long> folders = new java.util.HashMap<>();
        List<KopanoRestorer.BatchItem> batch = new ArrayList<>();
        List<Integer> batchPositions = new ArrayList<>();
        // every document and blob of the items to apply, read (verified) in parallel ahead of the writes
        long started = System.nanoTime();
        long readWait = 0;
        Prefetch prefetch = unavailable == null ? reads(blobs, cmd, known) : null;
        Function<BlobRef, byte[]> fetched = prefetch == null ? blobs : prefetch::blob;
        try {
            for (int i = 0; i < items.size(); i++) {
                RestoreCommandItem item = items.get(i);
                RestoreEvent before = known.get(eventId(cmd, item.getSourceKey()));
                if (before != null) {
                    events[i] = before;
                    continue;
                }
                if (unavailable != null) {
                    events[i] = event(cmd, item.getSourceKey(), RestoreItemOutcome.FAILED, unavailable);
                    applied.accept(events[i]);
                    continue;
                }
                ItemOutcome outcome;
                try {
                    if (item.getPath() == RestorePath.SOFTDELETE) {
                        outcome = undelete(c, restorer, store, item.getSourceKey());
                    } else {
                        if (item.getDocument() == null) {
                            throw new IllegalArgumentException("a BRICK_LEVEL item without a document");
                        }
                        long w = System.nanoTime();
                        ItemDocument doc = prefetch.document(i);
                        readWait += System.nanoTime() - w;
                        String folderPath = item.getFolderPath() == null ? "IPM_SUBTREE" : item.getFolderPath();
                        Long folder = folders.get(folderPath);
                        if (folder == null) {
                            folder = restorer.ensureFolder(store, root, FolderSpec.of(folderPath.split("/")));
                            folders.put(folderPath, folder);
                        }
                        if (itemsPerTransaction > 1) {
                            batch.add(new KopanoRestorer.BatchItem(folder, doc));
                            batchPositions.add(i);
                            if (batch.size() >= itemsPerTransaction) {
                                applyBatch(cmd, restorer, store, batch, batchPositions, fetched, mode, events, applied);
                            }
                            continue;
                        }
                        outcome = restorer.restore(store, folder, doc, fetched, mode);
                    }
                } catch (Exception e) {
                    outcome = new ItemOutcome(ItemOutcome.Status.FAILED, null, null, null, "not restored, nothing written: " + e.getMessage());
                }
                events[i] = event(cmd, item.getSourceKey(), map(outcome.status()), reason(outcome));
                applied.accept(events[i]);
            }
            if (!batch.isEmpty()) {
                applyBatch(cmd, restorer, store, batch, batchPositions, fetched, mode, events, applied);
            }
        } finally {
            if (prefetch != null) {
                prefetch.cancel();
            }
        }
        if (!todo.isEmpty()) {
            LOG.infof("restore command %s: %d items in %d ms, of which %d ms waiting for documents and blobs", cmd.getCommandId(), todo.size(),
                    (System.nanoTime() - started) / 1_000_000, readWait / 1_000_000);
        }
        out.addAll(Arrays.asList(events));
        if (cmd.getMetadata() != null) {
            RestoreEvent before = known.get(eventId(cmd, METADATA_KEY));
            if (before != null) {
                out.add(before);
            } else {
                RestoreEvent e = unavailable != null
                        ? event(cmd, METADATA_KEY, RestoreItemOutcome.FAILED, "metadata not restored, nothing written: " + unavailable)
                        : metadata(cmd, c, storage, restorer, store, root, blobs);
                applied.accept(e);
                out.add(e);
            }
        }
        return out;
    }

    /**
     * Writes the collected items with {@link KopanoRestorer#restoreBatch} in one transaction (each item still
     * all-or-nothing: kopano-restore's SAVEPOINT fallback) and remembers their outcomes right after it committed, so a
     * crash loses at most the outcomes of the transaction in flight, as with one transaction per item.
     */
    private void applyBatch(RestoreCommand cmd, KopanoRestorer restorer, Store store, List<KopanoRestorer.BatchItem> batch,
            List<Integer> batchPositions, Function<BlobRef, byte[]> blobs, ConflictMode mode, RestoreEvent[] events, Consumer<RestoreEvent> applied) {
        List<ItemOutcome> outcomes = restorer.batchSize(batch.size()).deferTableRows(deferTableRows).restoreBatch(store, batch, blobs, mode);
        List<RestoreCommandItem> items = cmd.getItems();
        for (int k = 0; k < batch.size(); k++) {
            int i = batchPositions.get(k);
            ItemOutcome o = outcomes.get(k);
            events[i] = event(cmd, items.get(i).getSourceKey(), map(o.status()), reason(o));
            applied.accept(events[i]);
        }
        batch.clear();
        batchPositions.clear();
    }

    /** The outcome's reason; a failure's always says that nothing of the item was written (kopano-restore's guarantee). */
    private static String reason(ItemOutcome o) {
        String r = o.reason();
        if (o.status() == ItemOutcome.Status.FAILED && (r == null || !r.contains("nothing written"))) {
            return "not restored, nothing written: " + (r == null ? "unknown failure" : r);
        }
        return r;
    }

    /** Threads that read a command's documents and blobs ahead of the writes (S3 round trips, decryption, verification). */
    static final int READ_THREADS = 8;

    private static final java.util.concurrent.ExecutorService READERS = java.util.concurrent.Executors.newFixedThreadPool(READ_THREADS, r -> {
        Thread t = new Thread(r, "kbr-agent-restore-read");
        t.setDaemon(true);
        return t;
    });

    /** How far apart two documents in a pack may lie and still be read with one range request. */
    static final int MAX_GAP = 64 * 1024;

    /** At most this many commands are read ahead; reads of older ones are cancelled. */
    static final int MAX_READ_AHEAD = 16;

    /** Reads started for commands expected next ({@link #prefetch}), by command id; taken over by their {@link #apply}. */
    private final Map<String, Prefetch> ahead = new java.util.LinkedHashMap<>();

    /** Verified reads of many blobs at once (pack entries grouped), or null: one read per document. */
    private volatile Function<List<BlobRef>, List<Object>> batchReads;

    /** Blob contents already read and verified (content-addressed: the same bytes for every item referring to them). */
    private final VerifiedBlobCache blobCache = new VerifiedBlobCache(32L << 20);

    /**
     * Reads the documents of many items at once through {@code reads} (one result per reference: the bytes or the
     * exception the verified read threw), e.g. the entries of one pack with few range requests. Without it each document
     * is read on its own.
     */
    public RestoreCommandApplier batchReads(Function<List<BlobRef>, List<Object>> reads) {
        this.batchReads = reads;
        return this;
    }

    /**
     * Starts reading the documents and blobs of {@code cmd} — the command the caller will apply next — while the current
     * one is written.
     */
    public void prefetch(RestoreCommand cmd, Function<BlobRef, byte[]> blobs) {
        prefetch(List.of(cmd), blobs);
    }

    /**
     * Starts reading the documents and blobs of {@code cmds} — the commands the caller will apply next, in this order —
     * while the current one is written; their documents are read together (see {@link #batchReads}). At most
     * {@link #MAX_READ_AHEAD} commands are read ahead: the oldest reads are cancelled beyond that.
     */
    public void prefetch(List<RestoreCommand> cmds, Function<BlobRef, byte[]> blobs) {
        List<Prefetch> started = new ArrayList<>();
        synchronized (ahead) {
            for (RestoreCommand cmd : cmds) {
                if (!ahead.containsKey(cmd.getCommandId())) {
                    Prefetch p = new Prefetch(blobs, cmd.getItems(), Map.of(), cmd, blobCache);
                    ahead.put(cmd.getCommandId(), p);
                    started.add(p);
                }
            }
            while (ahead.size() > MAX_READ_AHEAD) {
                var it = ahead.entrySet().iterator();
                it.next().getValue().cancel();
                it.remove();
            }
        }
        Prefetch.start(started, batchReads);
    }

    /** Cancels every read started ahead (the caller will not apply those commands next, e.g. after a failure). */
    public void cancelReadAhead() {
        synchronized (ahead) {
            ahead.values().forEach(Prefetch::cancel);
            ahead.clear();
        }
    }

    /** The reads of {@code cmd}: the ones started ahead by {@link #prefetch}, else started now. */
    private Prefetch reads(Function<BlobRef, byte[]> blobs, RestoreCommand cmd, Map<String, RestoreEvent> known) {
        Prefetch started;
        synchronized (ahead) {
            started = ahead.remove(cmd.getCommandId());
        }
        if (started != null && started.source == blobs) {
            return started;
        }
        if (started != null) {
            started.cancel();
        }
        Prefetch p = new Prefetch(blobs, cmd.getItems(), known, cmd, blobCache);
        Prefetch.start(List.of(p), batchReads);
        return p;
    }

    /** Verified blob contents by SHA-256, up to a number of bytes (then no more are added). */
    static final class VerifiedBlobCache {
        private final long maxBytes;
        private final java.util.concurrent.ConcurrentHashMap<String, byte[]> blobs = new java.util.concurrent.ConcurrentHashMap<>();
        private final java.util.concurrent.atomic.AtomicLong bytes = new java.util.concurrent.atomic.AtomicLong();

        VerifiedBlobCache(long maxBytes) {
            this.maxBytes = maxBytes;
        }

        /** The blob's verified content: from the cache, else read (a failure is thrown, never cached). */
        byte[] get(BlobRef ref, Function<BlobRef, byte[]> read) {
            byte[] b = blobs.get(ref.getSha256());
            if (b != null && b.length == ref.getSize()) {
                return b;
            }
            b = read.apply(ref);
            if (bytes.get() + b.length <= maxBytes && blobs.putIfAbsent(ref.getSha256(), b) == null) {
                bytes.addAndGet(b.length);
            }
            return b;
        }
    }

    /**
     * The documents of a command's brick-level items and every blob they reference, read in parallel ahead of the writes,
     * so the writer finds them read when it gets there: the documents of several commands together when a batch reader is
     * set (the entries of a pack with few requests), each document's blobs once it is decoded. A read that failed is
     * thrown again, unchanged, when the writer asks for that document or blob: the item fails with the same reason as
     * without prefetching. A blob the writer asks for that was not read ahead is read then.
     */
    private static final class Prefetch {
        private record Read(ItemDocument doc, Map<String, Object> blobs) {
        }

        final String commandId;
        final Function<BlobRef, byte[]> source;
        private final VerifiedBlobCache cache;
        private final List<RestoreCommandItem> items;
        private final java.util.concurrent.CompletableFuture<Read>[] reads;
        private final java.util.concurrent.ConcurrentHashMap<String, Object> ready = new java.util.concurrent.ConcurrentHashMap<>();
        /** Set when the reads are no longer wanted: tasks still to run skip their work (a task may serve several commands). */
        private volatile boolean cancelled;

        @SuppressWarnings("unchecked")
        Prefetch(Function<BlobRef, byte[]> source, List<RestoreCommandItem> items, Map<String, RestoreEvent> known, RestoreCommand cmd,
                VerifiedBlobCache cache) {
            this.commandId = cmd.getCommandId();
            this.source = source;
            this.cache = cache;
            this.items = items;
            this.reads = new java.util.concurrent.CompletableFuture[items.size()];
            for (int i = 0; i < items.size(); i++) {
                RestoreCommandItem item = items.get(i);
                if (item.getPath() != RestorePath.BRICK_LEVEL || item.getDocument() == null || known.containsKey(eventId(cmd, item.getSourceKey()))) {
                    continue;
                }
                reads[i] = new java.util.concurrent.CompletableFuture<>();
            }
        }

        /**
         * Starts the reads of {@code prefetches}: without {@code batch} one task per item (its document, then its blobs);
         * with it, the documents grouped by pack (one task per pack, in the order of the first item that needs it), each
         * decoded document's blobs read by the same task.
         */
        static void start(List<Prefetch> prefetches, Function<List<BlobRef>, List<Object>> batch) {
            if (batch == null) {
                for (Prefetch p : prefetches) {
                    for (int i = 0; i < p.reads.length; i++) {
                        if (p.reads[i] != null) {
                            int at = i;
                            READERS.execute(() -> p.complete(at, p.cancelled ? null : readDocument(p.source, p.items.get(at).getDocument())));
                        }
                    }
                }
                return;
            }
            record Slot(Prefetch p, int i) {
            }
            Map<String, List<Slot>> groups = new java.util.LinkedHashMap<>();
            int single = 0;
            for (Prefetch p : prefetches) {
                for (int i = 0; i < p.reads.length; i++) {
                    if (p.reads[i] != null) {
                        BlobRef doc = p.items.get(i).getDocument();
                        String g = doc.getPack() != null ? doc.getPack() : "single:" + single++;
                        groups.computeIfAbsent(g, x -> new ArrayList<>()).add(new Slot(p, i));
                    }
                }
            }
            for (List<Slot> group : groups.values()) {
                READERS.execute(() -> {
                    if (group.stream().allMatch(s -> s.p().cancelled)) {
                        group.forEach(s -> s.p().complete(s.i(), null));
                        return;
                    }
                    List<BlobRef> refs = new ArrayList<>(group.size());
                    group.forEach(s -> refs.add(s.p().items.get(s.i()).getDocument()));
                    List<Object> got;
                    try {
                        got = batch.apply(refs);
                    } catch (RuntimeException e) {
                        got = java.util.Collections.nCopies(refs.size(), e);
                    }
                    for (int k = 0; k < group.size(); k++) {
                        Slot s = group.get(k);
                        s.p().complete(s.i(), got.get(k));
                    }
                });
            }
        }

        private static Object readDocument(Function<BlobRef, byte[]> source, BlobRef ref) {
            try {
                return source.apply(ref);
            } catch (RuntimeException e) {
                return e;
            }
        }

        /** Decodes the document read for item {@code i} (bytes or the read's exception) and reads its blobs. */
        private void complete(int i, Object document) {
            java.util.concurrent.CompletableFuture<Read> f = reads[i];
            if (cancelled) {
                f.cancel(false);
                return;
            }
            try {
                if (document instanceof Exception e) {
                    throw e;
                }
                ItemDocument doc = DOCUMENTS.decode((byte[]) document);
                Map<String, Object> blobs = new java.util.HashMap<>();
                for (BlobRef ref : io.kbr.documents.ItemDocuments.blobs(doc)) {
                    if (!blobs.containsKey(ref.getSha256())) {
                        Object data;
                        try {
                            data = cache.get(ref, source);
                        } catch (RuntimeException e) {
                            data = e;
                        }
                        blobs.put(ref.getSha256(), data);
                    }
                }
                f.complete(new Read(doc, blobs));
            } catch (Exception e) {
                f.completeExceptionally(e);
            }
        }

        /** The item's decoded document (its blobs now ready for {@link #blob}); throws what reading or decoding it threw. */
        ItemDocument document(int i) throws Exception {
            java.util.concurrent.CompletableFuture<Read> f = reads[i];
            if (f == null) {
                throw new IllegalStateException("no read was started for item " + i);
            }
            Read r;
            try {
                r = f.get();
            } catch (java.util.concurrent.ExecutionException e) {
                throw e.getCause() instanceof Exception ex ? ex : e;
            }
            ready.putAll(r.blobs());
            return r.doc();
        }

        byte[] blob(BlobRef ref) {
            Object o = ready.get(ref.getSha256());
            if (o instanceof byte[] b) {
                return b;
            }
            if (o instanceof RuntimeException e) {
                throw e;
            }
            return source.apply(ref);
        }

        void cancel() {
            cancelled = true;
            for (java.util.concurrent.CompletableFuture<Read> f : reads) {
                if (f != null) {
                    f.cancel(false);
                }
            }
            ready.clear();
        }
    }

    /** The sourceKey of the metadata outcome ({@code ITEM} event {@code <commandId>/metadata}); not hex, never an item's. */
    public static final String METADATA_KEY = "metadata";

    private static final AvroCodec<StoreMetadataDocument> METADATA_DOCUMENTS = AvroCodec.of(StoreMetadataDocument.class);

    /** Every event id the command produces: one per item, plus {@code <commandId>/metadata} when it carries metadata. */
    static List<String> eventIds(RestoreCommand cmd) {
        List<String> ids = new ArrayList<>();
        cmd.getItems().forEach(i -> ids.add(eventId(cmd, i.getSourceKey())));
        if (cmd.getMetadata() != null) {
            ids.add(eventId(cmd, METADATA_KEY));
        }
        return ids;
    }

    /**
     * Applies the command's store metadata (rules, ACLs, settings, delegates) with {@link KopanoRestorer#restoreMetadata}
     * in one transaction. Folder references are mapped by path: a source folder maps to its copy below the restore root
     * when the restore created one, else to the target's folder with the same path; folders in neither are left to
     * kopano-restore (live sourcekey, PR_EC_BACKUP_SOURCE_KEY), and what it cannot map is named in the reason.
     * {@code restoreMetadata} replaces rather than adds (ACL rows by grantee and folder, properties by tag), so applying it
     * again creates no duplicate rule or ACL.
     */
    private RestoreEvent metadata(RestoreCommand cmd, Connection c, AttachmentStorage storage, KopanoRestorer restorer, Store store,
            List<String> root, Function<BlobRef, byte[]> blobs) {
        try {
            StoreMetadataDocument md = METADATA_DOCUMENTS.decode(blobs.apply(cmd.getMetadata().getDocument()));
            Map<List<String>, Long> targetFolders = folderPaths(c, storage, store);
            Map<Bytes, Long> folderMap = new java.util.HashMap<>();
            for (RestoreMetadataFolder f : cmd.getMetadata().getFolders()) {
                List<String> path = new ArrayList<>();
                for (String part : f.getPath().split("/")) {
                    if (!part.isEmpty()) {
                        path.add(part);
                    }
                }
                Long id = null;
                if (!root.isEmpty()) {
                    List<String> copy = new ArrayList<>(root);
                    copy.addAll(!path.isEmpty() && path.get(0).equals("IPM_SUBTREE") ? path.subList(1, path.size()) : path);
                    id = targetFolders.get(copy);
                }
                if (id == null) {
                    id = targetFolders.get(path);
                }
                if (id != null) {
                    folderMap.put(Bytes.fromHex(f.getSourceKey()), id);
                }
            }
            MetadataOutcome o = restorer.restoreMetadata(store, md, folderMap);
            String summary = "metadata restored: " + o.settings() + " settings, rules " + (o.rules() ? "restored" : "none") + ", " + o.acls()
                    + " ACL entries, " + o.delegates() + " delegates" + (o.problems().isEmpty() ? "" : "; not restored: " + String.join("; ", o.problems()));
            return event(cmd, METADATA_KEY, RestoreItemOutcome.RESTORED, summary);
        } catch (Exception e) {
            return event(cmd, METADATA_KEY, RestoreItemOutcome.FAILED, "metadata not restored, nothing written: " + e.getMessage());
        }
    }

    /** The target store's live folders by path of display names below the root folder (the lowest id for equal paths). */
    static Map<List<String>, Long> folderPaths(Connection c, AttachmentStorage storage, Store store) throws SQLException {
        Map<Long, Folder> byId = new java.util.HashMap<>();
        for (Folder f : new KopanoReader(c, storage).folders(store)) {
            byId.put(f.hierarchyId(), f);
        }
        Map<List<String>, Long> out = new java.util.HashMap<>();
        for (Folder f : byId.values()) {
            if (f.softDeleted() || f.hierarchyId() == store.rootFolderId()) {
                continue;
            }
            List<String> path = new ArrayList<>();
            Folder cur = f;
            while (cur != null && cur.hierarchyId() != store.rootFolderId()) {
                path.add(0, cur.displayName());
                cur = byId.get(cur.parentId());
            }
            out.merge(path, f.hierarchyId(), Math::min);
        }
        return out;
    }

    /** The restore root below the IPM subtree as a path from the store's root folder; empty without one. */
    static List<String> restoreRoot(String restoreRoot) {
        if (restoreRoot == null || restoreRoot.isBlank()) {
            return List.of();
        }
        List<String> root = new ArrayList<>();
        for (String part : restoreRoot.split("/")) {
            if (!part.isBlank()) {
                root.add(part);
            }
        }
        if (root.isEmpty()) {
            return List.of();
        }
        if (!root.get(0).equals("IPM_SUBTREE")) {
            root.add(0, "IPM_SUBTREE");
        }
        return root;
    }

    /**
     * The softdelete path: the message with this original sourcekey in the target store, undeleted in its own folder.
     * First by its live PR_SOURCE_KEY (never undeleted before); else among the messages of the store that carry it as
     * PR_EC_BACKUP_SOURCE_KEY (an earlier undelete gave the original a new sourcekey, a brick-level restore made a copy),
     * a soft-deleted one first. A live one only → {@code SKIPPED_DUPLICATE}.
     */
    private static ItemOutcome undelete(Connection c, KopanoRestorer restorer, Store store, String sourceKeyHex) throws SQLException {
        Bytes key = Bytes.fromHex(sourceKeyHex);
        Long id = messageBySourceKey(c, key);
        if (id != null && inStore(c, id, store)) {
            return isDeleted(c, id) ? restorer.undeleteInPlace(store, id)
                    : new ItemOutcome(ItemOutcome.Status.SKIPPED_DUPLICATE, id, null, key, "already live in the target store as message " + id);
        }
        Long live = null;
        try (PreparedStatement ps = c.prepareStatement("SELECT p.hierarchyid FROM properties p JOIN hierarchy h ON h.id = p.hierarchyid AND h.type = 5"
                + " WHERE p.tag = ? AND p.type = 258 AND p.val_binary = ? ORDER BY (h.flags & 1024) DESC, p.hierarchyid")) {
            ps.setInt(1, KopanoRestorer.EC_BACKUP_SOURCE_KEY);
            ps.setBytes(2, key.toArray());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long candidate = rs.getLong(1);
                    if (!inStore(c, candidate, store)) {
                        continue;
                    }
                    if (isDeleted(c, candidate)) {
                        return restorer.undeleteInPlace(store, candidate);
                    }
                    if (live == null) {
                        live = candidate;
                    }
                }
            }
        }
        if (live != null) {
            return new ItemOutcome(ItemOutcome.Status.SKIPPED_DUPLICATE, live, null, key, "already live in the target store as message " + live);
        }
        return new ItemOutcome(ItemOutcome.Status.FAILED, null, null, key, "no message with sourcekey " + sourceKeyHex
                + " in the target store (neither live nor soft-deleted): it needs the brick-level path");
    }

    private static boolean isDeleted(Connection c, long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT flags FROM hierarchy WHERE id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && (rs.getInt(1) & 0x400) != 0;
            }
        }
    }

    /** Whether the object's chain of parents ends at the store's top-level object. */
    private static boolean inStore(Connection c, long id, Store store) throws SQLException {
        Long current = id;
        try (PreparedStatement ps = c.prepareStatement("SELECT parent FROM hierarchy WHERE id = ?")) {
            for (int depth = 0; current != null && depth < 64; depth++) {
                if (current == store.hierarchyId()) {
                    return true;
                }
                ps.setLong(1, current);
                try (ResultSet rs = ps.executeQuery()) {
                    current = rs.next() ? (Long) rs.getObject(1, Long.class) : null;
                }
                if (current != null && current == 0) {
                    current = null;
                }
            }
        }
        return false;
    }

    static String eventId(RestoreCommand cmd, String sourceKey) {
        return cmd.getCommandId() + "/" + sourceKey;
    }

    private static RestoreItemOutcome map(ItemOutcome.Status s) {
        return switch (s) {
            case RESTORED, OVERWRITTEN -> RestoreItemOutcome.RESTORED;
            case UNDELETED -> RestoreItemOutcome.UNDELETED;
            case SKIPPED_DUPLICATE -> RestoreItemOutcome.SKIPPED_DUPLICATE;
            case FAILED -> RestoreItemOutcome.FAILED;
        };
    }

    private RestoreEvent event(RestoreCommand cmd, String sourceKey, RestoreItemOutcome outcome, String reason) {
        return RestoreEvent.newBuilder().setEventId(eventId(cmd, sourceKey)).setJobId(cmd.getJobId())
                .setKind(RestoreEventKind.ITEM).setSourceKey(sourceKey).setOutcome(outcome).setReason(reason)
                .setAtMillis(clock.millis()).build();
    }

    static Store storeByGuid(Connection c, AttachmentStorage storage, String guidHex) throws SQLException {
        Bytes guid = Bytes.fromHex(guidHex);
        for (Store s : new KopanoReader(c, storage).stores()) {
            if (guid.equals(s.guid())) {
                return s;
            }
        }
        throw new SQLException("no store " + guidHex + " in this Kopano database");
    }

    /** The message whose live PR_SOURCE_KEY is {@code sourceKey} in any store of the database (for tests). */
    static Long messageBySourceKey(Connection c, Bytes sourceKey) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT hierarchyid FROM indexedproperties WHERE tag = ? AND val_binary = ?")) {
            ps.setInt(1, PropTags.SOURCE_KEY);
            ps.setBytes(2, sourceKey.toArray());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : null;
            }
        }
    }
}
