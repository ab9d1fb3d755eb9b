package io.kbr.restore.kopano;

import io.kbr.kopano.model.Bytes;

/**
 * The result of restoring one item.
 *
 * @param status          what happened
 * @param hierarchyId     the restored (or existing, for SKIPPED / UNDELETED) message's {@code hierarchy.id}, or null
 * @param replacedId      for OVERWRITTEN: the hard-deleted message's id; else null
 * @param backupSourceKey the item's identity across restores (its original sourcekey, PR_EC_BACKUP_SOURCE_KEY)
 * @param reason          why it was skipped or failed; null when restored
 */
public record ItemOutcome(Status status, Long hierarchyId, Long replacedId, Bytes backupSourceKey, String reason) {

    public enum Status {
        RESTORED,
        OVERWRITTEN,
        UNDELETED,
        SKIPPED_DUPLICATE,
        FAILED
    }

    public boolean failed() {
        return status == Status.FAILED;
    }

    static ItemOutcome failed(Bytes key, String reason) {
        return new ItemOutcome(Status.FAILED, null, null, key, reason);
    }
}
