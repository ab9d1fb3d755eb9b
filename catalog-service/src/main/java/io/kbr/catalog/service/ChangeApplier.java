package io.kbr.catalog.service;

import io.kbr.catalog.config.CatalogConfig;
import io.kbr.catalog.mapping.Hex;
import io.kbr.catalog.model.ApplyOutcome;
import io.kbr.catalog.model.ApplyResult;
import io.kbr.catalog.model.CatalogChange;
import io.kbr.catalog.model.CatalogEvent;
import io.kbr.catalog.model.EventPosition;
import io.kbr.catalog.model.FolderState;
import io.kbr.catalog.model.ItemState;
import io.kbr.catalog.model.Operation;
import io.kbr.catalog.model.StoreDescription;
import io.kbr.catalog.persistence.AppliedEventRepository;
import io.kbr.catalog.persistence.FolderRepository;
import io.kbr.catalog.persistence.ItemRepository;
import io.kbr.catalog.persistence.StoreRepository;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * Applies change events to the catalog idempotently, many per database transaction. For each event:
 * <ol>
 * <li>its id is recorded in {@code applied_events}; if it was there already the event is a repeat and is
 * skipped — nothing else is written for it;</li>
 * <li>the store's row is created or its counters advanced (its row lock serialises a store's events, also
 * across catalog instances during a consumer-group rebalance);</li>
 * <li>the object's row is locked and its current position compared: only a newer event replaces the current
 * state, an older one is kept as history (an item version row) only.</li>
 * </ol>
 * Database failures that may pass (lost connection, deadlock, lock timeout) are retried with backoff until
 * they pass; a retry is safe because of step 1. If the database rejects something in a transaction, the
 * transaction is rolled back and its events are applied one per transaction, so only the event at fault fails.
 */
@ApplicationScoped
public class ChangeApplier {
    private static final Logger LOG = Logger.getLogger(ChangeApplier.class);
    /** item_versions.reason / folder_versions.reason of a hard delete derived from a completed full sync. */
    public static final String RESYNC = "resync";

    private final DataSource dataSource;
    private final StoreRepository stores;
    private final AppliedEventRepository appliedEvents;
    private final FolderRepository folders;
    private final ItemRepository items;
    private final CatalogConfig config;
    private final Clock clock;

    public ChangeApplier(DataSource dataSource, StoreRepository stores, AppliedEventRepository appliedEvents,
            FolderRepository folders, ItemRepository items, CatalogConfig config, Clock clock) {
        this.dataSource = dataSource;
        this.stores = stores;
        this.appliedEvents = appliedEvents;
        this.folders = folders;
        this.items = items;
        this.config = config;
        this.clock = clock;
    }

    /**
     * Applies events in order, in transactions of at most {@code kbr.catalog.apply.max-events-per-transaction}.
     *
     * @return one result per event, in the same order; a failed result is an event that cannot be applied
     * @throws ApplyInterruptedException if interrupted while waiting to retry (nothing of the current
     *         transaction is committed)
     */
    public List<ApplyResult> applyAll(List<CatalogEvent> events) {
        List<ApplyResult> results = new ArrayList<>(events.size());
        int size = Math.max(1, config.apply().maxEventsPerTransaction());
        for (int from = 0; from < events.size(); from += size) {
            List<CatalogEvent> chunk = events.subList(from, Math.min(events.size(), from + size));
            try {
                withRetries(chunk.size() + " events from " + chunk.get(0).eventId(), () -> applyInTransaction(chunk))
                        .forEach(o -> results.add(ApplyResult.of(o)));
            } catch (ApplyInterruptedException e) {
                throw e;
            } catch (RuntimeException e) {
                if (chunk.size() == 1) {
                    results.add(ApplyResult.failed(e));
                    continue;
                }
                LOG.warnf("a transaction of %d events failed (%s); applying them one by one", chunk.size(), e.getMessage());
                for (CatalogEvent event : chunk) {
                    try {
                        results.add(ApplyResult.of(apply(event)));
                    } catch (ApplyInterruptedException single) {
                        throw single;
                    } catch (RuntimeException single) {
                        results.add(ApplyResult.failed(single));
                    }
                }
            }
        }
        return results;
    }

    /**
     * Applies one event in its own transaction.
     *
     * @throws CatalogDatabaseException if the database rejected the event (an error retrying cannot fix)
     * @throws ApplyInterruptedException if interrupted while waiting to retry
     */
    public ApplyOutcome apply(CatalogEvent event) {
        return withRetries("event " + event.eventId(), () -> applyInTransaction(List.of(event))).get(0);
    }

    private interface Work<T> {
        T run() throws SQLException;
    }

    private <T> T withRetries(String what, Work<T> work) {
        Duration backoff = config.apply().retryInitialBackoff();
        for (int attempt = 1;; attempt++) {
            try {
                return work.run();
            } catch (SQLException e) {
                if (!isTransient(e)) {
                    throw new CatalogDatabaseException(what + ": the catalog database rejected it: " + e.getMessage(), e);
                }
                LOG.warnf("%s: attempt %d failed (%s); retrying in %d ms", what, attempt, e.getMessage(), backoff.toMillis());
                sleep(what, backoff);
                backoff = min(backoff.multipliedBy(2), config.apply().retryMaxBackoff());
            }
        }
    }

    private List<ApplyOutcome> applyInTransaction(List<CatalogEvent> events) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                List<ApplyOutcome> outcomes = new ArrayList<>(events.size());
                for (CatalogEvent event : events) {
                    outcomes.add(applyIn(c, event));
                }
                c.commit();
                return outcomes;
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(c, e);
                throw e;
            } finally {
                restoreAutoCommit(c);
            }
        }
    }

    private ApplyOutcome applyIn(Connection c, CatalogEvent event) throws SQLException {
        long now = clock.millis();
        if (!appliedEvents.record(c, event, now)) {
            return ApplyOutcome.DUPLICATE;
        }
        stores.recordEvent(c, event.storeGuid(), event.serverId(), event.position(), now);
        CatalogChange change = event.change();
        if (change instanceof CatalogChange.ItemVersion item) {
            return applyItem(c, event, item, now);
        } else if (change instanceof CatalogChange.FolderVersion folder) {
            return applyFolder(c, event, folder, now);
        } else if (change instanceof CatalogChange.StoreVersion store) {
            return applyStore(c, event, store, now);
        }
        throw new IllegalStateException("unhandled change " + change);
    }

    private ApplyOutcome applyStore(Connection c, CatalogEvent event, CatalogChange.StoreVersion store, long now) throws SQLException {
        Optional<EventPosition> current = stores.lockDescription(c, event.storeGuid());
        ApplyOutcome outcome = ApplyOutcome.STALE;
        StoreDescription d = store.description();
        // a marker-only event (no user name, no metadata) must not wipe the store's description
        boolean describes = store.marker() == null || d.userName() != null || d.metadata() != null;
        if (d.metadata() != null) {
            stores.recordMetadataVersion(c, event.storeGuid(), d.metadata(), event.position());
        }
        if (describes && (current.isEmpty() || event.position().isNewerThan(current.get()))) {
            stores.describe(c, event.storeGuid(), event.serverId(), d, event.position());
            outcome = ApplyOutcome.APPLIED;
        }
        CatalogChange.SyncMarker marker = store.marker();
        if (marker != null && marker.kind() == CatalogChange.SyncMarker.Kind.FULL_SYNC_COMPLETED) {
            long removed = removeUnreported(c, event, marker.syncId(), now);
            stores.recordSyncCompleted(c, event.storeGuid(), marker.syncId(), event.position(), removed);
            LOG.infof("store %s: full sync %s completed at journal id %d; %d items and folders it did not report are now "
                    + "hard-deleted", Hex.encode(event.storeGuid()), marker.syncId(), event.position().journalId(), removed);
            outcome = ApplyOutcome.APPLIED;
        }
        return outcome;
    }

    /**
     * Resync by diff: every live item and folder of the store that sync {@code syncId} did not report and that no
     * event after the sync's journal id (the marker's) touched is gone from the server — it becomes hard-deleted, as
     * a version with reason {@code resync}. The derived versions get ids made from the marker's id, so applying the
     * marker twice is impossible anyway (its id is recorded) and the ids are stable.
     */
    private long removeUnreported(Connection c, CatalogEvent marker, String syncId, long now) throws SQLException {
        EventPosition at = marker.position();
        String idPrefix = "resync:" + sha256Hex(marker.eventId()) + ":";
        long removed = 0;
        for (ItemRepository.Unreported u : items.lockUnreported(c, marker.storeGuid(), syncId, at.journalId())) {
            EventPosition position = derivedPosition(at, u.position(), idPrefix + "item:" + u.id());
            items.insertDerivedHardDelete(c, u.id(), position, syncId, RESYNC, now);
            items.markHardDeleted(c, u.id(), at.observedAtMillis(), position, syncId);
            removed++;
        }
        for (FolderRepository.Unreported u : folders.lockUnreported(c, marker.storeGuid(), syncId, at.journalId())) {
            EventPosition position = derivedPosition(at, u.position(), idPrefix + "folder:" + Hex.encode(u.state().sourceKey()));
            folders.markHardDeleted(c, marker.storeGuid(), u.state().sourceKey(), at.observedAtMillis(), position, syncId);
            folders.insertVersion(c, marker.storeGuid(), Operation.HARD_DELETE, u.state(), position, true, syncId, RESYNC, now);
            removed++;
        }
        return removed;
    }

    /** The marker's journal id, and an observed-at that sorts after the object's current state. */
    private static EventPosition derivedPosition(EventPosition marker, EventPosition current, String eventId) {
        long observed = Math.max(marker.observedAtMillis(), current.observedAtMillis() + 1);
        return new EventPosition(Math.max(marker.journalId(), current.journalId()), observed, eventId);
    }

    private ApplyOutcome applyItem(Connection c, CatalogEvent event, CatalogChange.ItemVersion version, long now) throws SQLException {
        ItemState state = version.state();
        EventPosition position = event.position();
        byte[] store = event.storeGuid();
        Optional<ItemRepository.CurrentItem> current = items.lock(c, store, state.sourceKey());
        boolean moved = false;
        boolean historyOnly = false;
        if (current.isEmpty() && state.previousSourceKey() != null) {
            // a move that gave the item a new sourcekey: the same item, its history follows it
            current = items.lock(c, store, state.previousSourceKey());
            moved = current.isPresent();
        }
        if (current.isEmpty()) {
            // a late event about a sourcekey the item left by a move belongs to its history only
            current = items.lockMovedFrom(c, store, state.sourceKey());
            historyOnly = current.isPresent();
        }
        boolean hardDelete = version.operation() == Operation.HARD_DELETE;
        // deletedAtMillis of a purge is the earlier soft delete (PR_DELETED_ON); the purge is when it was seen
        long hardDeletedAt = position.observedAtMillis();
        long itemId;
        boolean becomesCurrent;
        if (current.isEmpty()) {
            itemId = items.insert(c, store, state, hardDelete ? hardDeletedAt : null, position, event.syncId());
            items.replaceRecipients(c, itemId, state.recipients());
            becomesCurrent = true;
        } else {
            itemId = current.get().id();
            becomesCurrent = !historyOnly && position.isNewerThan(current.get().position());
            if (becomesCurrent && moved) {
                items.rekey(c, itemId, state.sourceKey());
            }
            if (becomesCurrent && hardDelete) {
                items.markHardDeleted(c, itemId, hardDeletedAt, position, event.syncId());
            } else if (becomesCurrent) {
                items.update(c, itemId, state, position, event.syncId());
                items.replaceRecipients(c, itemId, state.recipients());
            }
        }
        if (!becomesCurrent && event.syncId() != null) {
            // history only, but a full sync reported the item, so it existed at the sync's snapshot
            items.setSyncId(c, itemId, event.syncId());
        }
        items.insertVersion(c, itemId, version.operation(), state, version.blobs(), position, becomesCurrent, event.syncId(), now);
        if (LOG.isTraceEnabled()) {
            LOG.tracef("event %s: item %s of store %s %s (%s)", event.eventId(), Hex.encode(state.sourceKey()),
                    Hex.encode(store), version.operation(), becomesCurrent ? "current" : "history only");
        }
        return becomesCurrent ? ApplyOutcome.APPLIED : ApplyOutcome.STALE;
    }

    private ApplyOutcome applyFolder(Connection c, CatalogEvent event, CatalogChange.FolderVersion version, long now) throws SQLException {
        FolderState state = version.state();
        EventPosition position = event.position();
        Optional<EventPosition> current = folders.lock(c, event.storeGuid(), state.sourceKey());
        boolean becomesCurrent = current.isEmpty() || position.isNewerThan(current.get());
        if (becomesCurrent) {
            boolean hardDelete = version.operation() == Operation.HARD_DELETE;
            if (hardDelete && current.isPresent()) {
                folders.markHardDeleted(c, event.storeGuid(), state.sourceKey(), position.observedAtMillis(), position, event.syncId());
            } else {
                folders.write(c, event.storeGuid(), state, hardDelete ? position.observedAtMillis() : null, position, event.syncId());
            }
        }
        if (!becomesCurrent && event.syncId() != null) {
            folders.setSyncId(c, event.storeGuid(), state.sourceKey(), event.syncId());
        }
        folders.insertVersion(c, event.storeGuid(), version.operation(), state, position, becomesCurrent, event.syncId(), null, now);
        return becomesCurrent ? ApplyOutcome.APPLIED : ApplyOutcome.STALE;
    }

    private static String sha256Hex(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Failures that may pass by themselves. Connector/J reports a lost connection as a recoverable or
     * connection exception (SQLSTATE 08xxx), a deadlock or lock wait timeout as a transaction rollback
     * (40xxx, or errors 1213/1205); the pool reports an exhausted pool without a SQLSTATE.
     */
    static boolean isTransient(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLTransientException || t instanceof SQLRecoverableException
                    || t instanceof SQLNonTransientConnectionException) {
                return true;
            }
            if (t instanceof SQLException s) {
                String state = s.getSQLState();
                if (state == null && s.getErrorCode() == 0
                        || state != null && (state.startsWith("08") || state.startsWith("40"))
                        || s.getErrorCode() == 1213 || s.getErrorCode() == 1205) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Pooled connections go back in auto-commit mode; a broken one is discarded by the pool anyway. */
    private static void restoreAutoCommit(Connection c) {
        try {
            c.setAutoCommit(true);
        } catch (SQLException e) {
            LOG.debugf("cannot restore auto-commit: %s", e.getMessage());
        }
    }

    private static void rollbackQuietly(Connection c, Exception cause) {
        try {
            c.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    private static void sleep(String what, Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApplyInterruptedException(what + ": interrupted while waiting to retry", e);
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
