package io.kbr.catalog.model;

import java.time.Instant;
import java.util.List;

/**
 * Per-folder statistics of one store, as {@code kopano-backup --stats} (folder path, item count) with sizes and
 * deletion counts; counts mean what they mean in {@link StoreSummary}. {@code deletedItemCount} is soft- plus
 * hard-deleted. Folders in tree order.
 */
public record StoreStatistics(
        String storeGuid,
        Instant asOf,
        long itemCount,
        long totalSize,
        long softDeletedItemCount,
        long softDeletedSize,
        long hardDeletedItemCount,
        long deletedItemCount,
        List<FolderStatistics> folders) {

    /** One folder: {@code path} as kopano-backup writes it ("Inbox/Projects"). */
    public record FolderStatistics(
            String path,
            String sourceKey,
            boolean known,
            boolean softDeleted,
            boolean hardDeleted,
            long itemCount,
            long totalSize,
            long softDeletedItemCount,
            long softDeletedSize,
            long hardDeletedItemCount,
            long deletedItemCount) {
    }
}
