package io.kbr.catalog.model;

import java.time.Instant;

/**
 * What a purge removed from the catalog (or would remove, for a dry run): deleted items with their versions,
 * item versions superseded before the cutoff, deleted folders without items, superseded folder versions and
 * store-metadata documents replaced before the cutoff ({@code metadataVersions}; a store's current one always stays);
 * {@code gc} is the blob garbage collection that followed (null when no object store is configured).
 */
public record PurgeReport(
        boolean dryRun,
        int olderThanDays,
        Instant cutoff,
        String store,
        long items,
        long itemVersions,
        long folders,
        long folderVersions,
        GcReport gc,
        String gcSkipped,
        long metadataVersions) {
}
