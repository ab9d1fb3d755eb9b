package io.kbr.catalog.model;

import java.time.Instant;
import java.util.List;

/** The current state of one item as the API shows it. Keys are lower-case hex. */
public record ItemSummary(
        String storeGuid,
        String sourceKey,
        String folderSourceKey,
        String previousSourceKey,
        long hierarchyId,
        String messageClass,
        String subject,
        String senderName,
        String senderEmail,
        List<Recipient> recipients,
        Instant deliveryTime,
        Instant lastModified,
        long size,
        boolean associated,
        List<String> attachmentNames,
        boolean softDeleted,
        Instant deletedAt,
        boolean hardDeleted,
        Instant hardDeletedAt,
        String documentSha256,
        Long documentSize,
        long lastJournalId) {
}
