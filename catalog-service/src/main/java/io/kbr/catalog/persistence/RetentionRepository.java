package io.kbr.catalog.persistence;

import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The purge queries (as {@code kopano-backup --purge N}): which rows are older than the retention and deleting
 * them in short transactions. Every method works in the caller's connection and transaction.
 *
 * <ul>
 * <li>a deleted item: soft-deleted ({@code deleted_at}) or hard-deleted ({@code hard_deleted_at}) before the
 * cutoff — the item goes with all its versions, recipients and blob references;</li>
 * <li>a superseded item version: a version with a later version (by position) that was observed before the
 * cutoff. The current version never qualifies. "Some later version observed before the cutoff" rather than "the
 * next one" keeps the set the same while batches delete parts of it;</li>
 * <li>a deleted folder: soft- or hard-deleted before the cutoff and holding no item any more;</li>
 * <li>a superseded folder version: as for items.</li>
 * </ul>
 */
@ApplicationScoped
public class RetentionRepository {

    private static final String DELETED_ITEM = """
            COALESCE((i.soft_deleted AND i.hard_deleted_at IS NULL AND i.deleted_at < ?) OR i.hard_deleted_at < ?, FALSE)""";
    private static final String LATER_ITEM_VERSION = """
            EXISTS (SELECT 1 FROM item_versions w WHERE w.item_id = v.item_id AND w.observed_at < ?
                    AND (w.journal_id > v.journal_id OR (w.journal_id = v.journal_id AND (w.observed_at > v.observed_at
                         OR (w.observed_at = v.observed_at AND w.event_id > v.event_id)))))""";
    private static final String DELETED_FOLDER = """
            COALESCE((f.soft_deleted AND f.hard_deleted_at IS NULL AND f.deleted_at < ?) OR f.hard_deleted_at < ?, FALSE)
            AND NOT EXISTS (SELECT 1 FROM items i WHERE i.store_guid = f.store_guid AND i.folder_source_key = f.source_key)""";
    private static final String LATER_FOLDER_VERSION = """
            EXISTS (SELECT 1 FROM folder_versions w WHERE w.store_guid = v.store_guid AND w.source_key = v.source_key
                    AND w.observed_at < ?
                    AND (w.journal_id > v.journal_id OR (w.journal_id = v.journal_id AND (w.observed_at > v.observed_at
                         OR (w.observed_at = v.observed_at AND w.event_id > v.event_id)))))""";

    private static final String LATER_METADATA_VERSION = """
            EXISTS (SELECT 1 FROM store_metadata_versions w WHERE w.store_guid = v.store_guid AND w.observed_at < ?
                    AND (w.observed_at > v.observed_at OR (w.observed_at = v.observed_at AND (w.journal_id > v.journal_id
                         OR (w.journal_id = v.journal_id AND w.id > v.id)))))""";

    /** Store-metadata documents replaced by a later one before the cutoff (dry run); the current one never counts. */
    public long countSupersededMetadataVersions(Connection c, byte[] store, long cutoff) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM store_metadata_versions v WHERE "
                + LATER_METADATA_VERSION + storeFilter("v", store))) {
            int n = bind(ps, 1, cutoff);
            bindStore(ps, n, store);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** Deletes up to {@code limit} superseded metadata versions above {@code afterId}: {deleted, last id or -1}. */
    public long[] deleteSupersededMetadataVersions(Connection c, byte[] store, long cutoff, int limit, long afterId) throws SQLException {
        List<Long> ids = ids(c, "SELECT v.id FROM store_metadata_versions v WHERE v.id > " + afterId + " AND " + LATER_METADATA_VERSION
                + storeFilter("v", store) + " ORDER BY v.id LIMIT " + limit + " FOR UPDATE", store, cutoff);
        if (ids.isEmpty()) {
            return new long[] {0, -1};
        }
        return new long[] {update(c, "DELETE FROM store_metadata_versions WHERE id IN (" + marks(ids.size()) + ")", ids),
                ids.get(ids.size() - 1)};
    }

    /** Deleted items and how many versions they hold (dry run). */
    public long[] countDeletedItems(Connection c, byte[] store, long cutoff) throws SQLException {
        String sql = "SELECT COUNT(DISTINCT i.id), COUNT(v.id) FROM items i LEFT JOIN item_versions v ON v.item_id = i.id WHERE "
                + DELETED_ITEM + storeFilter("i", store);
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            int n = bind(ps, 1, cutoff, cutoff);
            bindStore(ps, n, store);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new long[] {rs.getLong(1), rs.getLong(2)};
            }
        }
    }

    /** Superseded versions of items that are not purged themselves (dry run). */
    public long countSupersededItemVersions(Connection c, byte[] store, long cutoff) throws SQLException {
        String sql = "SELECT COUNT(*) FROM item_versions v JOIN items i ON i.id = v.item_id WHERE NOT " + DELETED_ITEM
                + " AND " + LATER_ITEM_VERSION + storeFilter("i", store);
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            int n = bind(ps, 1, cutoff, cutoff, cutoff);
            bindStore(ps, n, store);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /**
     * Deletes up to {@code limit} deleted items with ids above {@code afterId} (keyset: each batch reads on from where
     * the previous one stopped, so a purge reads the table once); returns {items, versions deleted, last id examined},
     * the last id -1 when nothing was left.
     */
    public long[] deleteDeletedItems(Connection c, byte[] store, long cutoff, int limit, long afterId) throws SQLException {
        List<Long> ids = ids(c, "SELECT i.id FROM items i WHERE i.id > " + afterId + " AND " + DELETED_ITEM + storeFilter("i", store)
                + " ORDER BY i.id LIMIT " + limit + " FOR UPDATE", store, cutoff, cutoff);
        if (ids.isEmpty()) {
            return new long[] {0, 0, -1};
        }
        long versions = count(c, "SELECT COUNT(*) FROM item_versions WHERE item_id IN (" + marks(ids.size()) + ")", ids);
        long items = update(c, "DELETE FROM items WHERE id IN (" + marks(ids.size()) + ")", ids);
        return new long[] {items, versions, ids.get(ids.size() - 1)};
    }

    /**
     * Deletes up to {@code limit} superseded item versions with ids above {@code afterId}; returns {deleted, last id
     * examined}, the last id -1 when nothing was left.
     */
    public long[] deleteSupersededItemVersions(Connection c, byte[] store, long cutoff, int limit, long afterId) throws SQLException {
        List<Long> ids = ids(c, "SELECT v.id FROM item_versions v JOIN items i ON i.id = v.item_id WHERE v.id > " + afterId
                + " AND " + LATER_ITEM_VERSION + storeFilter("i", store) + " ORDER BY v.id LIMIT " + limit + " FOR UPDATE", store, cutoff);
        if (ids.isEmpty()) {
            return new long[] {0, -1};
        }
        return new long[] {update(c, "DELETE FROM item_versions WHERE id IN (" + marks(ids.size()) + ")", ids), ids.get(ids.size() - 1)};
    }

    /** Deleted folders without items and their versions (dry run): {folders, versions}. */
    public long[] countDeletedFolders(Connection c, byte[] store, long cutoff) throws SQLException {
        String sql = "SELECT COUNT(DISTINCT f.store_guid, f.source_key), COUNT(v.id) FROM folders f LEFT JOIN folder_versions v"
                + " ON v.store_guid = f.store_guid AND v.source_key = f.source_key WHERE " + DELETED_FOLDER + storeFilter("f", store);
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            int n = bind(ps, 1, cutoff, cutoff);
            bindStore(ps, n, store);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new long[] {rs.getLong(1), rs.getLong(2)};
            }
        }
    }

    /** Superseded folder versions (dry run), of folders that stay. */
    public long countSupersededFolderVersions(Connection c, byte[] store, long cutoff) throws SQLException {
        String sql = "SELECT COUNT(*) FROM folder_versions v JOIN folders f ON f.store_guid = v.store_guid AND f.source_key = v.source_key"
                + " WHERE NOT (" + DELETED_FOLDER + ") AND " + LATER_FOLDER_VERSION + storeFilter("f", store);
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            int n = bind(ps, 1, cutoff, cutoff, cutoff);
            bindStore(ps, n, store);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** Deletes up to {@code limit} deleted, empty folders with their versions: {folders, versions}. */
    public long[] deleteDeletedFolders(Connection c, byte[] store, long cutoff, int limit) throws SQLException {
        List<Object[]> keys = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT f.store_guid, f.source_key FROM folders f WHERE " + DELETED_FOLDER
                + storeFilter("f", store) + " ORDER BY f.store_guid, f.source_key LIMIT " + limit + " FOR UPDATE")) {
            int n = bind(ps, 1, cutoff, cutoff);
            bindStore(ps, n, store);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    keys.add(new Object[] {rs.getBytes(1), rs.getBytes(2)});
                }
            }
        }
        long folders = 0;
        long versions = 0;
        for (Object[] k : keys) {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM folder_versions WHERE store_guid = ? AND source_key = ?")) {
                ps.setBytes(1, (byte[]) k[0]);
                ps.setBytes(2, (byte[]) k[1]);
                versions += ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM folders WHERE store_guid = ? AND source_key = ?")) {
                ps.setBytes(1, (byte[]) k[0]);
                ps.setBytes(2, (byte[]) k[1]);
                folders += ps.executeUpdate();
            }
        }
        return new long[] {folders, versions};
    }

    /** Deletes up to {@code limit} superseded folder versions above {@code afterId}: {deleted, last id or -1}. */
    public long[] deleteSupersededFolderVersions(Connection c, byte[] store, long cutoff, int limit, long afterId) throws SQLException {
        List<Long> ids = ids(c, "SELECT v.id FROM folder_versions v WHERE v.id > " + afterId + " AND " + LATER_FOLDER_VERSION
                + storeFilter("v", store) + " ORDER BY v.id LIMIT " + limit + " FOR UPDATE", store, cutoff);
        if (ids.isEmpty()) {
            return new long[] {0, -1};
        }
        return new long[] {update(c, "DELETE FROM folder_versions WHERE id IN (" + marks(ids.size()) + ")", ids), ids.get(ids.size() - 1)};
    }

    private static String storeFilter(String alias, byte[] store) {
        return store == null ? "" : " AND " + alias + ".store_guid = ?";
    }

    private static int bind(PreparedStatement ps, int from, long... values) throws SQLException {
        int i = from;
        for (long v : values) {
            ps.setLong(i++, v);
        }
        return i;
    }

    private static void bindStore(PreparedStatement ps, int index, byte[] store) throws SQLException {
        if (store != null) {
            ps.setBytes(index, store);
        }
    }

    private static List<Long> ids(Connection c, String sql, byte[] store, long... cutoffs) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            int n = bind(ps, 1, cutoffs);
            bindStore(ps, n, store);
            try (ResultSet rs = ps.executeQuery()) {
                List<Long> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(rs.getLong(1));
                }
                return out;
            }
        }
    }

    private static long count(Connection c, String sql, List<Long> ids) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < ids.size(); i++) {
                ps.setLong(i + 1, ids.get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static long update(Connection c, String sql, List<Long> ids) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < ids.size(); i++) {
                ps.setLong(i + 1, ids.get(i));
            }
            return ps.executeUpdate();
        }
    }

    private static String marks(int n) {
        return java.util.stream.IntStream.range(0, n).mapToObj(i -> "?").collect(Collectors.joining(", "));
    }
}
