package io.kbr.catalog.model;

/** The state of one folder as one event describes it. */
public record FolderState(
        byte[] sourceKey,
        byte[] parentSourceKey,
        long hierarchyId,
        String displayName,
        String containerClass,
        int folderType,
        boolean softDeleted) {
}
