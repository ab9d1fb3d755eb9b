package io.kbr.catalog.model;

import java.time.Duration;
import java.time.Instant;

/**
 * What blob garbage collection found and did. Every listed object (stand-alone blob or pack) is exactly one of:
 * kept because it is referenced, kept because it is younger than the grace period, or deleted (for a dry run:
 * would be deleted). Sizes are stored (compressed) bytes.
 */
public record GcReport(
        boolean dryRun,
        Instant startedAt,
        Duration gracePeriod,
        long objectsScanned,
        long bytesScanned,
        long keptReferenced,
        long keptYoung,
        long objectsDeleted,
        long bytesFreed,
        long blobsDeleted,
        long packsDeleted,
        long durationMillis) {
}
