package io.kbr.agent.incremental;

import io.kbr.kopano.model.Bytes;
import io.kbr.kopano.store.ChangeTypes;

/**
 * One row of Kopano's {@code changes} table with the current hierarchy ids of its object and parent folder
 * (null when gone: hard-deleted, or for a message, moved — its sourcekey changed).
 */
record JournalRow(long id, int changeType, int flags, Bytes sourceKey, Bytes parentSourceKey, Long objectId, Long parentId) {

    boolean isMessage() {
        return ChangeTypes.isMessage(changeType);
    }

    boolean isFolder() {
        return ChangeTypes.isFolder(changeType);
    }
}
