package io.kbr.catalog.model;

import java.time.Instant;
import java.util.List;

/**
 * One recorded version of a folder, oldest first in lists, with {@code path}: the folder's names from the top as of
 * that version (renames and moves of it or of its parents change it). {@code reason} is {@code resync} for a hard
 * delete the catalog derived from a completed full sync.
 */
public record FolderVersionSummary(
        String eventId,
        long journalId,
        Instant observedAt,
        Operation operation,
        String parentSourceKey,
        String displayName,
        List<String> path,
        boolean softDeleted,
        boolean becameCurrent,
        String reason) {
}
