package io.kbr.catalog.service;

import io.kbr.blobstore.BlobStore;
import io.kbr.blobstore.StoredObject;
import io.kbr.catalog.client.ObjectStoreClient;
import io.kbr.catalog.config.CatalogConfig;
import io.kbr.catalog.mapping.Hex;
import io.kbr.catalog.model.GcReport;
import io.kbr.catalog.model.PurgeReport;
import io.kbr.catalog.persistence.RetentionRepository;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * Retention, as {@code kopano-backup --purge N} plus what deduplication needs:
 * <ol>
 * <li>purge: removes from the catalog the items deleted (soft or hard) more than N days ago with all their
 * versions, item versions superseded more than N days ago, deleted folders that hold no items any more, and
 * superseded folder versions — in short transactions of {@code kbr.catalog.retention.purge-batch-size} rows;</li>
 * <li>garbage collection: lists every object of the blob store and deletes those that nothing in the catalog
 * references (every {@link BlobReferenceCheck} bean is asked) and that are older than the grace period. A pack is
 * deleted only when none of its entries is referenced.</li>
 * </ol>
 * One purge or collection at a time, in this instance and (through a named database lock) across instances.
 */
@ApplicationScoped
public class RetentionService {
    private static final Logger LOG = Logger.getLogger(RetentionService.class);
    private static final long DAY_MILLIS = 86_400_000L;
    private static final int MAX_ATTEMPTS = 5;
    /** MariaDB/MySQL named lock: one purge or collection at a time across catalog instances sharing the database. */
    static final String LOCK_NAME = "kbr_catalog_retention";

    private final DataSource dataSource;
    private final RetentionRepository retention;
    private final StoreService stores;
    private final ObjectStoreClient objectStore;
    private final Instance<BlobReferenceCheck> referenceChecks;
    private final CatalogConfig config;
    private final Clock clock;
    private final ReentrantLock running = new ReentrantLock();

    public RetentionService(DataSource dataSource, RetentionRepository retention, StoreService stores,
            ObjectStoreClient objectStore, Instance<BlobReferenceCheck> referenceChecks, CatalogConfig config, Clock clock) {
        this.dataSource = dataSource;
        this.retention = retention;
        this.stores = stores;
        this.objectStore = objectStore;
        this.referenceChecks = referenceChecks;
        this.config = config;
        this.clock = clock;
    }

    /**
     * Purges the catalog (all stores, or {@code store}) and then collects garbage blobs when an object store is
     * configured. A dry run changes nothing and reports what would go; its garbage collection can only count
     * objects unreferenced now, before the purge.
     */
    public PurgeReport purge(int olderThanDays, byte[] store, boolean dryRun) {
        if (store != null) {
            stores.requireStore(store);
        }
        try (Exclusive ignored = exclusive()) {
            Instant cutoff = clock.instant().minusMillis(olderThanDays * DAY_MILLIS);
            long c = cutoff.toEpochMilli();
            String where = store == null ? "all stores" : "store " + Hex.encode(store);
            LOG.infof("purge%s of %s: step 1 of 2, catalog rows deleted or superseded before %s", dryRun ? " (dry run)" : "", where, cutoff);
            long items;
            long itemVersions;
            long folders;
            long folderVersions;
            long metadataVersions;
            if (dryRun) {
                long[] counts = inTransaction("count purgeable rows", conn -> {
                    long[] deletedItems = retention.countDeletedItems(conn, store, c);
                    long superseded = retention.countSupersededItemVersions(conn, store, c);
                    long[] deletedFolders = retention.countDeletedFolders(conn, store, c);
                    long supersededFolders = retention.countSupersededFolderVersions(conn, store, c);
                    return new long[] {deletedItems[0], deletedItems[1] + superseded, deletedFolders[0],
                            deletedFolders[1] + supersededFolders, retention.countSupersededMetadataVersions(conn, store, c)};
                });
                items = counts[0];
                itemVersions = counts[1];
                folders = counts[2];
                folderVersions = counts[3];
                metadataVersions = counts[4];
            } else {
                int batch = Math.max(1, config.retention().purgeBatchSize());
                long[] totals = new long[5];
                long[] r;
                long after = 0;
                do {
                    long from = after;
                    r = inTransaction("purge deleted items", conn -> retention.deleteDeletedItems(conn, store, c, batch, from));
                    totals[0] += r[0];
                    totals[1] += r[1];
                    after = r[2];
                } while (after >= 0);
                totals[1] += superseded("purge superseded item versions",
                        (conn, from) -> retention.deleteSupersededItemVersions(conn, store, c, batch, from));
                do {
                    r = inTransaction("purge deleted folders", conn -> retention.deleteDeletedFolders(conn, store, c, batch));
                    totals[2] += r[0];
                    totals[3] += r[1];
                } while (r[0] >= batch);
                totals[3] += superseded("purge superseded folder versions",
                        (conn, from) -> retention.deleteSupersededFolderVersions(conn, store, c, batch, from));
                totals[4] += superseded("purge superseded metadata versions",
                        (conn, from) -> retention.deleteSupersededMetadataVersions(conn, store, c, batch, from));
                items = totals[0];
                itemVersions = totals[1];
                folders = totals[2];
                folderVersions = totals[3];
                metadataVersions = totals[4];
            }
            LOG.infof("purge%s of %s: %d items, %d item versions, %d folders, %d folder versions, %d metadata versions",
                    dryRun ? " (dry run)" : "", where, items, itemVersions, folders, folderVersions, metadataVersions);
            GcReport gc = null;
            String skipped = null;
            if (objectStore.blobStore().isPresent()) {
                LOG.infof("purge: step 2 of 2, blob garbage collection");
                gc = collect(dryRun);
            } else {
                skipped = "no object store configured (kbr.catalog.object-store.endpoint): blobs were not collected";
            }
            return new PurgeReport(dryRun, olderThanDays, cutoff, store == null ? null : Hex.encode(store), items, itemVersions,
                    folders, folderVersions, gc, skipped, metadataVersions);
        }
    }

    /** Blob garbage collection on its own. */
    public GcReport garbageCollect(boolean dryRun) {
        if (objectStore.blobStore().isEmpty()) {
            throw new ObjectStoreUnavailableException(
                    "No object store is configured (kbr.catalog.object-store.endpoint), so blobs cannot be collected");
        }
        try (Exclusive ignored = exclusive()) {
            return collect(dryRun);
        }
    }

    /** Held while a purge or collection runs: in this instance, and through a database lock across instances. */
    private final class Exclusive implements AutoCloseable {
        private final Connection lockConnection;

        Exclusive(Connection lockConnection) {
            this.lockConnection = lockConnection;
        }

        @Override
        public void close() {
            try (Connection c = lockConnection; PreparedStatement ps = c.prepareStatement("SELECT RELEASE_LOCK(?)")) {
                ps.setString(1, LOCK_NAME);
                ps.executeQuery().close();
            } catch (SQLException e) {
                LOG.warnf("cannot release the retention lock (it goes with the connection): %s", e.getMessage());
            } finally {
                running.unlock();
            }
        }
    }

    private Exclusive exclusive() {
        if (!running.tryLock()) {
            throw new RetentionBusyException("A purge or garbage collection is already running; try again when it finished");
        }
        Connection c = null;
        boolean acquired = false;
        try {
            c = dataSource.getConnection();
            try (PreparedStatement ps = c.prepareStatement("SELECT GET_LOCK(?, 0)")) {
                ps.setString(1, LOCK_NAME);
                try (ResultSet rs = ps.executeQuery()) {
                    acquired = rs.next() && rs.getInt(1) == 1;
                }
            }
        } catch (SQLException e) {
            closeQuietly(c);
            running.unlock();
            throw new CatalogDatabaseException("Cannot take the retention lock", e);
        }
        if (!acquired) {
            closeQuietly(c);
            running.unlock();
            throw new RetentionBusyException("A purge or garbage collection is running in another catalog instance; try again when it finished");
        }
        return new Exclusive(c);
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                LOG.debugf("closing a connection failed: %s", e.getMessage());
            }
        }
    }

    private GcReport collect(boolean dryRun) {
        BlobStore blobs = objectStore.blobStore().orElseThrow();
        Instant started = clock.instant();
        Duration grace = config.retention().gcGracePeriod();
        Instant youngAfter = started.minus(grace);
        int batchSize = Math.max(1, config.retention().gcBatchSize());
        long[] c = new long[9]; // scanned, bytes, referenced, young, deleted, freed, blobs, packs
        try (Stream<StoredObject> listing = blobs.objects()) {
            Iterator<StoredObject> it = listing.iterator();
            List<StoredObject> batch = new ArrayList<>(batchSize);
            while (it.hasNext()) {
                StoredObject o = it.next();
                c[0]++;
                c[1] += o.size();
                if (o.lastModified() == null || o.lastModified().isAfter(youngAfter)) {
                    c[3]++;
                    continue;
                }
                batch.add(o);
                if (batch.size() >= batchSize) {
                    sweep(blobs, batch, dryRun, c);
                    batch.clear();
                }
            }
            if (!batch.isEmpty()) {
                sweep(blobs, batch, dryRun, c);
            }
        }
        long took = Duration.between(started, clock.instant()).toMillis();
        GcReport report = new GcReport(dryRun, started, grace, c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], took);
        LOG.infof("garbage collection%s: %d objects (%d bytes) scanned, %d referenced, %d younger than %s, %d deleted "
                + "(%d blobs, %d packs, %d bytes freed) in %d ms", dryRun ? " (dry run)" : "", c[0], c[1], c[2], c[3], grace,
                c[4], c[6], c[7], c[5], took);
        return report;
    }

    /** Deletes the objects of {@code batch} that no reference check claims. */
    private void sweep(BlobStore blobs, List<StoredObject> batch, boolean dryRun, long[] c) {
        List<String> keys = batch.stream().map(StoredObject::key).toList();
        Set<String> referenced = new HashSet<>();
        for (BlobReferenceCheck check : referenceChecks) {
            try {
                referenced.addAll(check.referenced(keys));
            } catch (SQLException e) {
                throw new CatalogDatabaseException("Cannot look up blob references", e);
            }
        }
        for (StoredObject o : batch) {
            if (referenced.contains(o.key())) {
                c[2]++;
                continue;
            }
            if (!dryRun) {
                blobs.deleteObject(o.key());
                LOG.debugf("deleted unreferenced object %s (%d bytes, last modified %s)", o.key(), o.size(), o.lastModified());
            }
            c[4]++;
            c[5] += o.size();
            if (o.isPack()) {
                c[7]++;
            } else {
                c[6]++;
            }
        }
    }

    /** One batch of a keyset-paged delete: {deleted, last id examined or -1 when nothing was left}. */
    private interface SupersededBatch {
        long[] delete(Connection conn, long afterId) throws SQLException;
    }

    /** Runs {@code batch} in short transactions from id 0 until nothing is left; returns how many rows it deleted. */
    private long superseded(String what, SupersededBatch batch) {
        long deleted = 0;
        long after = 0;
        while (after >= 0) {
            long from = after;
            long[] r = inTransaction(what, conn -> batch.delete(conn, from));
            deleted += r[0];
            after = r[1];
        }
        return deleted;
    }

    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /** Runs {@code work} in a transaction, retrying deadlocks and lock timeouts with the consumer a few times. */
    private <T> T inTransaction(String what, Work<T> work) {
        for (int attempt = 1;; attempt++) {
            try (Connection c = dataSource.getConnection()) {
                c.setAutoCommit(false);
                try {
                    T result = work.run(c);
                    c.commit();
                    return result;
                } catch (SQLException | RuntimeException e) {
                    c.rollback();
                    throw e;
                } finally {
                    c.setAutoCommit(true);
                }
            } catch (SQLException e) {
                if (attempt >= MAX_ATTEMPTS || !ChangeApplier.isTransient(e)) {
                    throw new CatalogDatabaseException(what + ": " + e.getMessage(), e);
                }
                LOG.warnf("%s: attempt %d failed (%s); retrying", what, attempt, e.getMessage());
                try {
                    Thread.sleep(200L * attempt);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new CatalogDatabaseException(what + ": interrupted", e);
                }
            }
        }
    }
}
