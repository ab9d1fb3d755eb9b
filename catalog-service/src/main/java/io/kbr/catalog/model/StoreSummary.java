package io.kbr.catalog.model;

import java.time.Instant;

/**
 * A store with its totals. {@code itemCount}/{@code totalSize} count every item that still exists on the
 * server (soft-deleted ones included, as Kopano counts them against the quota until purged); the
 * soft-deleted share is given separately, and hard-deleted items (kept in the catalog for restores) are
 * only counted in {@code hardDeletedItemCount}. {@code lastSync…} describe the last completed full sync (resync by diff):
 * its id, when it completed and how many items and folders it found gone; null before the first.
 * {@code metadataPack}/{@code metadataOffset}/{@code metadataStoredLength} locate the latest store-metadata document
 * (StoreMetadataDocument) when it is a pack entry (null: a stand-alone object); item restores with
 * {@code includeMetadata} read it. With {@code asOf} (GET /api/v1/stores/{guid}?asOf=) they describe the document the
 * store had at that instant instead; the history is {@code GET /api/v1/stores/{guid}/metadata/versions}.
 */
public record StoreSummary(
        String guid,
        String serverId,
        String userName,
        Integer storeType,
        long itemCount,
        long totalSize,
        long softDeletedItemCount,
        long softDeletedSize,
        long hardDeletedItemCount,
        long folderCount,
        String metadataSha256,
        Long metadataSize,
        long maxJournalId,
        String lastSyncId,
        Instant lastSyncCompletedAt,
        Long lastSyncRemoved,
        String metadataPack,
        Long metadataOffset,
        Long metadataStoredLength) {
}
