package io.kbr.restore.kopano;

/**
 * What to do when the target store already holds the item being restored: an item whose PR_EC_BACKUP_SOURCE_KEY
 * or live PR_SOURCE_KEY equals the item's backup sourcekey, in any folder of the target store.
 */
public enum ConflictMode {
    /** Leave the existing item; restore nothing. */
    SKIP,
    /** Hard-delete the existing item (as kopano-server would) and restore the backed-up version. */
    OVERWRITE,
    /** Restore the backed-up version as an additional item. */
    KEEP_BOTH
}
