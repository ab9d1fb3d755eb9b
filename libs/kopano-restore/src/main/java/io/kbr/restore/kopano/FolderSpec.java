package io.kbr.restore.kopano;

import io.kbr.kopano.model.Bytes;
import java.util.List;

/**
 * A folder to restore into, as the backup knows it.
 *
 * @param path              display names from the store's root folder down, e.g. {@code [IPM_SUBTREE, Inbox, Newsletters]}
 * @param containerClass    PR_CONTAINER_CLASS for folders that have to be created, or null
 * @param originalSourceKey the folder's sourcekey in the backed-up store, stamped as PR_EC_BACKUP_SOURCE_KEY on a
 *                          created folder (so ACLs of the metadata find it), or null
 */
public record FolderSpec(List<String> path, String containerClass, Bytes originalSourceKey) {
    public FolderSpec {
        path = List.copyOf(path);
        for (String name : path) {
            if (name == null || name.isEmpty()) {
                throw new IllegalArgumentException("folder path " + path + " has an empty name");
            }
        }
    }

    public static FolderSpec of(String... path) {
        return new FolderSpec(List.of(path), null, null);
    }
}
