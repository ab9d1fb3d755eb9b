package io.kbr.catalog.model;

import java.util.List;

/**
 * The searchable state of one item as one event describes it. {@code deliveryTime} is epoch milliseconds,
 * 0 when the item has none; {@code document} is null for a hard delete.
 */
public record ItemState(
        byte[] sourceKey,
        byte[] folderSourceKey,
        byte[] previousSourceKey,
        long hierarchyId,
        String messageClass,
        String subject,
        String senderName,
        String senderEmail,
        List<Recipient> recipients,
        long deliveryTime,
        Long lastModified,
        long size,
        boolean associated,
        List<String> attachmentNames,
        boolean softDeleted,
        Long deletedAt,
        BlobReference document) {
}
