package io.kbr.catalog.restores;

import java.util.List;

/** A restore job as {@code GET /api/v1/restores/{id}} shows it. */
public record RestoreJob(String id, String state, String storeGuid, String targetServerId, String targetStoreGuid,
        Counts counts, String reason, String createdAt, String updatedAt, List<Item> items) {

    /** selected is null until the restore-service has resolved the selection. */
    public record Counts(Integer selected, int restored, int skippedAsDuplicate, int undeleted, int failed) {
    }

    /** One item's latest outcome: RESTORED, SKIPPED_DUPLICATE, UNDELETED or FAILED (with the reason). */
    public record Item(String sourceKey, String outcome, String reason) {
    }
}
