package io.kbr.catalog.model;

import java.util.List;

/**
 * One folder of a store's tree, flat: {@code parentSourceKey} links it to its parent and {@code path} holds
 * the display names from the top-most known ancestor down to this folder. Counts as in {@link StoreSummary},
 * for the items directly in this folder. {@code known} is false for a folder that items refer to but no
 * folder event has described (yet).
 */
public record FolderNode(
        String sourceKey,
        String parentSourceKey,
        List<String> path,
        int depth,
        String displayName,
        String containerClass,
        Integer folderType,
        boolean known,
        boolean softDeleted,
        boolean hardDeleted,
        long itemCount,
        long totalSize,
        long softDeletedItemCount,
        long softDeletedSize,
        long hardDeletedItemCount) {
}
