package io.kbr.agent.incremental;

import io.kbr.kopano.model.Bytes;
import io.kbr.kopano.model.Folder;
import io.kbr.kopano.model.PropTags;
import io.kbr.kopano.model.Store;
import io.kbr.kopano.read.KopanoReader;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the incremental backup must know beyond the journal row (§5.5): which store a folder belongs to (also
 * after the folder is gone: "ICS does not know for deletion changes which store they belong to"), and which
 * sourcekey a message had, to correlate the HARD_DELETE + NEW pair of a move (pitfall 4: the hierarchy id
 * stays, the sourcekey changes).
 *
 * <p>Memory: one entry per folder and per message (~100 bytes each). Moves made while the agent was not
 * running cannot be correlated (the old sourcekey is gone from the database); they are reported as a hard
 * delete and a new item, which loses no data.
 */
final class Directory {
    record FolderEntry(Store store, Folder folder) {
    }

    private final Map<Long, Store> storesByHierarchyId = new HashMap<>();
    private final Map<Long, FolderEntry> foldersById = new HashMap<>();
    private final Map<Bytes, FolderEntry> foldersBySourceKey = new HashMap<>();
    private final Map<Long, Bytes> messageSourceKeys = new HashMap<>();
    private final Map<Bytes, Long> messageIds = new HashMap<>();

    /** Loads stores, folders and message sourcekeys as they are now. */
    void load(Connection c, KopanoReader reader) throws SQLException {
        for (Store s : reader.stores()) {
            reloadFolders(reader, s);
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT h.id, ip.val_binary FROM hierarchy h "
                + "JOIN indexedproperties ip ON ip.hierarchyid = h.id AND ip.tag = ? WHERE h.type = 5")) {
            ps.setInt(1, PropTags.SOURCE_KEY);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    remember(rs.getLong(1), Bytes.of(rs.getBytes(2)));
                }
            }
        }
    }

    /**
     * Re-reads one store's folders (after a folder change, or when a row names an unknown folder) and returns
     * the known folders whose parent, name or soft-delete state changed — also those the journal does not name,
     * such as the subfolders of a folder that was soft-deleted (they are deleted through their parent).
     */
    List<FolderEntry> reloadFolders(KopanoReader reader, Store store) throws SQLException {
        storesByHierarchyId.put(store.hierarchyId(), store);
        List<FolderEntry> changed = new java.util.ArrayList<>();
        for (Folder f : reader.folders(store)) {
            FolderEntry e = new FolderEntry(store, f);
            FolderEntry old = foldersById.put(f.hierarchyId(), e);
            if (old != null && f.sourceKey() != null && (old.folder().softDeleted() != f.softDeleted()
                    || old.folder().parentId() != f.parentId() || !old.folder().displayName().equals(f.displayName()))) {
                changed.add(e);
            }
            if (f.sourceKey() != null) {
                foldersBySourceKey.put(f.sourceKey(), e);
            }
        }
        return changed;
    }

    /** Re-reads every store's folders (a new store, or a folder nothing knows yet). */
    void reloadAllFolders(KopanoReader reader) throws SQLException {
        for (Store s : reader.stores()) {
            reloadFolders(reader, s);
        }
    }

    Optional<FolderEntry> folder(long id) {
        return Optional.ofNullable(foldersById.get(id));
    }

    Optional<FolderEntry> folder(Bytes sourceKey) {
        return Optional.ofNullable(sourceKey == null ? null : foldersBySourceKey.get(sourceKey));
    }

    java.util.Collection<Store> stores() {
        return storesByHierarchyId.values();
    }

    void forgetFolder(Bytes sourceKey) {
        FolderEntry e = foldersBySourceKey.remove(sourceKey);
        if (e != null) {
            foldersById.remove(e.folder().hierarchyId());
        }
    }

    /** The sourcekey the message had when last seen. */
    Optional<Bytes> messageSourceKey(long id) {
        return Optional.ofNullable(messageSourceKeys.get(id));
    }

    Optional<Long> messageId(Bytes sourceKey) {
        return Optional.ofNullable(messageIds.get(sourceKey));
    }

    void remember(long id, Bytes sourceKey) {
        Bytes old = messageSourceKeys.put(id, sourceKey);
        if (old != null && !old.equals(sourceKey)) {
            messageIds.remove(old);
        }
        messageIds.put(sourceKey, id);
    }

    void forgetMessage(Bytes sourceKey) {
        Long id = messageIds.remove(sourceKey);
        if (id != null && sourceKey.equals(messageSourceKeys.get(id))) {
            messageSourceKeys.remove(id);
        }
    }

    int messages() {
        return messageSourceKeys.size();
    }

    static List<Store> sorted(java.util.Collection<Store> stores) {
        return stores.stream().sorted(java.util.Comparator.comparingLong(Store::hierarchyId)).toList();
    }
}
