package io.kbr.kopano.model;

import java.util.List;

/**
 * A folder of a store (§2.2, §2.3).
 *
 * @param hierarchyId      {@code hierarchy.id}
 * @param parentId         parent folder, or the store object for the root folder
 * @param flags            {@code hierarchy.flags}: folder type (0 root, 1 generic, 2 search) plus 0x400 when deleted
 * @param deletedViaParent true when an ancestor folder is soft-deleted but this one is not flagged itself
 */
public record Folder(
        long hierarchyId,
        long parentId,
        int flags,
        boolean deletedViaParent,
        Bytes entryId,
        Bytes sourceKey,
        List<Property> props) {

    public Folder {
        props = PropertyList.sorted(props);
    }

    public int folderType() {
        return flags & 0x3;
    }

    public boolean softDeleted() {
        return (flags & Message.FLAG_DELETED) != 0 || deletedViaParent;
    }

    public String displayName() {
        return PropertyList.string(props, PropTags.DISPLAY_NAME).orElse("");
    }

    public String containerClass() {
        return PropertyList.string(props, PropTags.CONTAINER_CLASS).orElse(null);
    }
}
