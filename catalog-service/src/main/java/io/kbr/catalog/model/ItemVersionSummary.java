package io.kbr.catalog.model;

import java.time.Instant;
import java.util.List;

/**
 * One recorded version of an item, oldest first in lists. {@code sourceKey} is the item's sourcekey at that
 * version (a move changes it); {@code document} is the full reference of the ItemDocument blob (pack entry or
 * stand-alone object); {@code reason} is set when the catalog derived the version itself ({@code resync}:
 * the item was absent from a completed full sync); {@code syncId} names the full sync that reported it.
 */
public record ItemVersionSummary(
        String eventId,
        long journalId,
        Instant observedAt,
        Operation operation,
        String sourceKey,
        String folderSourceKey,
        String subject,
        boolean softDeleted,
        long size,
        String documentSha256,
        Long documentSize,
        BlobReference document,
        boolean becameCurrent,
        String syncId,
        String reason,
        List<BlobReference> blobs) {
}
