package io.kbr.agent.backup;

import io.kbr.documents.ItemDocuments;
import io.kbr.events.schema.BlobRef;
import io.kbr.events.schema.ChangeEvent;
import io.kbr.events.schema.FolderOperation;
import io.kbr.events.schema.ItemDocument;
import io.kbr.events.schema.ItemOperation;
import io.kbr.events.schema.SyncMarkerKind;
import io.kbr.kopano.model.Bytes;
import io.kbr.kopano.model.Folder;
import io.kbr.kopano.model.Message;
import io.kbr.kopano.model.Store;
import io.kbr.kopano.read.KopanoReader;
import io.kbr.kopano.write.AttachmentStorage;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * A full backup of every store of one Kopano server (ARCHITECTURE.md, "Initial (full) backup"): one
 * consistent read snapshot, the change-journal watermark read inside it (KOPANO-STORAGE.md §5.5), then per
 * store its folders, its messages (all of them: normal, associated, soft-deleted) and its metadata. Each
 * message's attachment data and document are stored before its event is published; the run succeeds only
 * when Kafka acknowledged every event, so the caller may then checkpoint the watermark.
 *
 * <p>One thread reads the snapshot (a snapshot cannot be shared between connections); a small pool hashes,
 * compresses and uploads blobs and publishes events, with at most {@code 2 × workers} messages in flight.
 */
public final class FullBackup {
    private static final Logger LOG = Logger.getLogger(FullBackup.class);
    private static final int STEPS = 5;
    /** Original MIME texts up to this size are kept inside the item document instead of as their own blob. */
    public static final int INLINE_RFC822_LIMIT = MessageBackup.INLINE_RFC822_LIMIT;

    private final DataSource kopano;
    private final AttachmentStorage storage;
    private final Documents documents;
    private final ChangePublisher publisher;
    private final ChangeEvents events;
    private final int workers;
    private final Clock clock;
    private final BackupProgress progress;
    private final MessageBackup messages;
    private String syncId;
    private String syncReason;
    private Bytes onlyStore;

    public FullBackup(DataSource kopano, AttachmentStorage storage, Documents documents, ChangePublisher publisher, ChangeEvents events,
            int workers, Clock clock, BackupProgress progress) {
        this.kopano = kopano;
        this.storage = storage;
        this.documents = documents;
        this.publisher = publisher;
        this.events = events;
        this.workers = Math.max(1, workers);
        this.clock = clock;
        this.progress = progress;
        this.messages = new MessageBackup(documents, events, progress);
    }

    /**
     * Makes this run a full sync (resync by diff, issue 4): every event carries {@code syncId} (and an id of its
     * own, so the catalog records the sync even where the state did not change), and each store is bracketed by
     * FULL_SYNC_STARTED / FULL_SYNC_COMPLETED markers, after which the catalog treats what the sync did not
     * mention as hard-deleted.
     */
    public FullBackup asSync(String syncId, String reason) {
        this.syncId = syncId;
        this.syncReason = reason;
        return this;
    }

    /** Limits the run to the store with this GUID (a resync of one store). */
    public FullBackup onlyStore(Bytes guid) {
        this.onlyStore = guid;
        return this;
    }

    public BackupReport run() throws BackupException {
        long started = System.nanoTime();
        long itemsBefore = progress.items.get();
        long foldersBefore = progress.folders.get();
        long uploadedBefore = progress.blobsUploaded.get();
        long skippedBefore = progress.blobsSkipped.get();
        long plainBefore = progress.plainBytes.get();
        long storedBefore = progress.storedBytesUploaded.get();
        long eventsBefore = progress.events.get();
        InFlight inFlight = new InFlight(2 * workers);
        ExecutorService pool = Executors.newFixedThreadPool(workers, r -> {
            Thread t = new Thread(r, "kbr-backup-worker");
            t.setDaemon(true);
            return t;
        });
        long watermark = 0;
        List<Store> stores = List.of();
        try (Connection c = kopano.getConnection()) {
            step(1, "opening a consistent snapshot of the Kopano database");
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            try (Statement st = c.createStatement()) {
                st.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT");
            }
            KopanoReader reader = new KopanoReader(c, storage);
            // §5.5: the watermark read inside the same snapshot; changes after it are the incremental's.
            watermark = reader.maxChangeId();
            step(2, "listing stores (journal watermark " + watermark + ")");
            stores = reader.stores();
            if (onlyStore != null) {
                stores = stores.stream().filter(st -> st.guid().equals(onlyStore)).toList();
            }
            LOG.infof("%d stores: %s", stores.size(), stores.stream().map(Store::userName).toList());
            int n = 0;
            for (Store store : stores) {
                n++;
                step(3, "backing up store " + n + " of " + stores.size() + " (" + store.userName() + ")");
                if (syncId != null) {
                    send(inFlight, ChangeEvents.key(store), events.syncMarker(store, SyncMarkerKind.FULL_SYNC_STARTED, syncId, syncReason, watermark, now()));
                }
                backupStore(reader, store, watermark, pool, inFlight);
                inFlight.throwIfFailed();
            }
            c.commit();
        } catch (Exception e) {
            inFlight.fail(e);
        }
        step(4, "waiting for object storage and Kafka to acknowledge every message");
        try {
            inFlight.awaitEmpty();
        } finally {
            pool.shutdownNow();
        }
        if (syncId != null && inFlight.failure.get() == null) {
            // Only when every event of the sync is acknowledged: a completed marker before them would make the
            // catalog delete what they were about to report.
            InFlight markers = new InFlight(1);
            try {
                for (Store store : stores) {
                    send(markers, ChangeEvents.key(store), events.syncMarker(store, SyncMarkerKind.FULL_SYNC_COMPLETED, syncId, syncReason, watermark, now()));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                markers.fail(e);
            }
            markers.awaitEmpty();
            if (markers.failure.get() != null) {
                inFlight.fail(markers.failure.get());
            }
        }
        Throwable failure = inFlight.failure.get();
        if (failure != null) {
            step(5, "failed: " + failure.getMessage());
            throw new BackupException("full backup of server " + events.serverId() + " failed: " + failure.getMessage(), failure);
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        BackupReport report = new BackupReport(events.serverId(), watermark, stores.size(), progress.folders.get() - foldersBefore,
                progress.items.get() - itemsBefore, progress.blobsUploaded.get() - uploadedBefore, progress.blobsSkipped.get() - skippedBefore,
                progress.plainBytes.get() - plainBefore, progress.storedBytesUploaded.get() - storedBefore,
                progress.events.get() - eventsBefore, millis);
        step(5, String.format("done: %d stores, %d folders, %d items in %.1f s (%.0f items/s, %.1f MB/s), %d blobs uploaded, %d already stored",
                report.stores(), report.folders(), report.items(), millis / 1000.0, report.itemsPerSecond(), report.megabytesPerSecond(),
                report.blobsUploaded(), report.blobsSkipped()));
        return report;
    }

    private void backupStore(KopanoReader reader, Store store, long watermark, ExecutorService pool, InFlight inFlight) throws Exception {
        String key = ChangeEvents.key(store);
        List<Folder> folders = reader.folders(store);
        Map<Long, Bytes> sourceKeys = new HashMap<>();
        for (Folder f : folders) {
            if (f.sourceKey() != null) {
                sourceKeys.put(f.hierarchyId(), f.sourceKey());
            }
        }
        for (Folder f : folders) {
            if (f.sourceKey() == null) {
                continue; // search-folder results and broken rows have nothing to restore
            }
            FolderOperation op = f.softDeleted() ? FolderOperation.SOFT_DELETE : FolderOperation.UPSERT;
            send(inFlight, key, withSync(events.folder(store, f, sourceKeys.get(f.parentId()), op, watermark, now())));
            progress.folders.incrementAndGet();
        }
        // Any order: every message is its own event, and a restarted full backup starts again (ids in order read cheapest).
        reader.forEachMessageAnyOrder(store, (folder, m) -> {
            inFlight.throwIfFailed();
            if (m.sourceKey() == null) {
                LOG.warnf("store %s: message %d has no sourcekey; skipped (it cannot be identified in the catalog)", store.userName(), m.hierarchyId());
                return;
            }
            // Attachment data is read here, on the snapshot connection (the lob backend needs it); the upload is parallel.
            Map<io.kbr.kopano.model.BlobRef, byte[]> data = MessageBackup.readBlobs(reader, m);
            Bytes folderKey = folder.sourceKey();
            inFlight.acquireTask();
            pool.execute(() -> {
                try {
                    backupMessage(store, key, folderKey, m, data, watermark, inFlight);
                } catch (Throwable e) {
                    inFlight.fail(new RuntimeException("store " + store.userName() + ", message " + m.hierarchyId() + ": " + e.getMessage(), e));
                } finally {
                    inFlight.releaseTask();
                }
            });
        });
        BlobRef metadata = documents.putMetadata(reader.metadata(store), store.hierarchyId(), sourceKeys);
        documents.flush();
        documents.durable(List.of(metadata)).join();
        send(inFlight, key, withSync(events.store(store, metadata, watermark, now())));
    }

    private void backupMessage(Store store, String key, Bytes folderKey, Message m, Map<io.kbr.kopano.model.BlobRef, byte[]> data,
            long watermark, InFlight inFlight) {
        ChangeEvent e = withSync(messages.backup(store, folderKey, m, data, watermark, now()));
        try {
            inFlight.acquireAck();
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            inFlight.fail(ie);
            return;
        }
        // Blobs before events: the event leaves only once its document and attachment data are durable.
        documents.durable(((io.kbr.events.schema.ItemChange) e.getChange()).getBlobs()).whenComplete((ok, err) -> {
            if (err != null) {
                inFlight.fail(new RuntimeException("storing the blobs of message " + m.hierarchyId() + " failed: " + err.getMessage(), err));
                inFlight.releaseAck();
            } else {
                publishAcquired(inFlight, key, e);
                progress.items.incrementAndGet();
            }
        });
    }

    private void send(InFlight inFlight, String key, ChangeEvent e) throws InterruptedException {
        inFlight.acquireAck();
        publishAcquired(inFlight, key, e);
    }

    /** Publishes {@code e} for an ack slot the caller already holds. */
    private void publishAcquired(InFlight inFlight, String key, ChangeEvent e) {
        publisher.publish(key, e).whenComplete((ok, err) -> {
            if (err != null) {
                inFlight.fail(new RuntimeException("Kafka did not accept event " + e.getEventId() + ": " + err.getMessage(), err));
            } else {
                progress.events.incrementAndGet();
            }
            inFlight.releaseAck();
        });
    }

    private ChangeEvent withSync(ChangeEvent e) {
        return syncId == null ? e : events.inSync(e, syncId);
    }

    private long now() {
        return clock.millis();
    }

    private void step(int n, String what) {
        progress.step.set("step " + n + " of " + STEPS + ": " + what);
        LOG.infof("full backup of %s, step %d of %d: %s", events.serverId(), n, STEPS, what);
    }

    /** Bounds the messages being uploaded and the events awaiting acknowledgement, and remembers the first failure. */
    private static final class InFlight {
        private static final int ACKS = 4096;
        private final Semaphore tasks;
        private final int taskCapacity;
        private final Semaphore acks = new Semaphore(ACKS);
        final AtomicReference<Throwable> failure = new AtomicReference<>();

        InFlight(int taskCapacity) {
            // Only a few messages' attachment data in memory at once; events are small, many may await acks.
            this.taskCapacity = taskCapacity;
            this.tasks = new Semaphore(taskCapacity);
        }

        void acquireTask() throws InterruptedException {
            tasks.acquire();
        }

        void releaseTask() {
            tasks.release();
        }

        void acquireAck() throws InterruptedException {
            acks.acquire();
        }

        void releaseAck() {
            acks.release();
        }

        void fail(Throwable t) {
            failure.compareAndSet(null, t);
        }

        void throwIfFailed() throws Exception {
            Throwable t = failure.get();
            if (t != null) {
                throw new Exception(t.getMessage(), t);
            }
        }

        void awaitEmpty() {
            try {
                tasks.acquire(taskCapacity);
                tasks.release(taskCapacity);
                acks.acquire(ACKS);
                acks.release(ACKS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail(e);
            }
        }
    }
}
