package io.kbr.catalog.export;

import java.util.List;

/**
 * The body of {@code POST /api/v1/exports}: one store, and either {@code sourceKeys} or filters as the item search
 * takes them (sender, recipient, subject words, delivery period, folder with or without subfolders, deleted);
 * {@code asOf} exports each item as it was at that instant (default: its latest version).
 */
public record ExportRequest(
        String storeGuid,
        List<String> sourceKeys,
        String sender,
        String recipient,
        String subject,
        String from,
        String to,
        String folder,
        Boolean subfolders,
        String deleted,
        String asOf) {
}
