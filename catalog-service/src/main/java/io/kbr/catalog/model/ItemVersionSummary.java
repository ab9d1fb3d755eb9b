package io.kbr.catalog.model;

import java.time.Instant;
import java.util.List;

/** One recorded version of an item, oldest first in lists. */
public record ItemVersionSummary(
        String eventId,
        long journalId,
        Instant observedAt,
        Operation operation,
        String folderSourceKey,
        boolean softDeleted,
        long size,
        String documentSha256,
        Long documentSize,
        boolean becameCurrent,
        List<BlobReference> blobs) {
}
