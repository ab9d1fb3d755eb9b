package io.kbr.catalog.persistence;

import io.kbr.catalog.model.EventPosition;
import io.kbr.catalog.model.FolderState;
import io.kbr.catalog.model.Operation;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/** Table {@code folders}: the current state of every folder. */
@ApplicationScoped
public class FolderRepository {

    /** A folder row as the tree needs it. */
    public record FolderRow(byte[] sourceKey, byte[] parentSourceKey, String displayName, String containerClass,
            int folderType, boolean softDeleted, boolean hardDeleted) {
    }

    /** Item totals of one folder, keyed by the items' folder sourcekey. */
    public record FolderCounts(long itemCount, long totalSize, long softCount, long softSize, long hardCount) {
    }

    private final DataSource dataSource;

    public FolderRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** The position of the folder's current state, locking its row; empty if the folder is new. */
    public Optional<EventPosition> lock(Connection c, byte[] store, byte[] sourceKey) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT last_journal_id, last_observed_at, last_event_id FROM folders
                WHERE store_guid = ? AND source_key = ? FOR UPDATE""")) {
            ps.setBytes(1, store);
            ps.setBytes(2, sourceKey);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new EventPosition(rs.getLong(1), rs.getLong(2), rs.getString(3)));
            }
        }
    }

    /**
     * Inserts or replaces the folder's state. A soft-deleted folder keeps the time it was first seen
     * deleted; {@code hardDeletedAt} is null unless this state is a hard delete.
     */
    public void write(Connection c, byte[] store, FolderState s, Long hardDeletedAt, EventPosition position, String syncId)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO folders (store_guid, source_key, parent_source_key, hierarchy_id, display_name, container_class,
                                     folder_type, soft_deleted, deleted_at, hard_deleted_at,
                                     last_journal_id, last_observed_at, last_event_id, last_sync_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON DUPLICATE KEY UPDATE
                    parent_source_key = VALUES(parent_source_key), hierarchy_id = VALUES(hierarchy_id),
                    display_name = VALUES(display_name), container_class = VALUES(container_class),
                    folder_type = VALUES(folder_type),
                    deleted_at = CASE WHEN VALUES(soft_deleted) THEN COALESCE(deleted_at, VALUES(deleted_at)) ELSE NULL END,
                    soft_deleted = VALUES(soft_deleted), hard_deleted_at = VALUES(hard_deleted_at),
                    last_journal_id = VALUES(last_journal_id), last_observed_at = VALUES(last_observed_at),
                    last_event_id = VALUES(last_event_id), last_sync_id = VALUES(last_sync_id)""")) {
            ps.setBytes(1, store);
            ps.setBytes(2, s.sourceKey());
            Jdbc.setBytes(ps, 3, s.parentSourceKey());
            ps.setLong(4, s.hierarchyId());
            ps.setString(5, s.displayName());
            ps.setString(6, s.containerClass());
            ps.setInt(7, s.folderType());
            ps.setBoolean(8, s.softDeleted());
            Jdbc.setLong(ps, 9, s.softDeleted() ? position.observedAtMillis() : null);
            Jdbc.setLong(ps, 10, hardDeletedAt);
            ps.setLong(11, position.journalId());
            ps.setLong(12, position.observedAtMillis());
            ps.setString(13, position.eventId());
            ps.setString(14, syncId);
            ps.executeUpdate();
        }
    }

    /** Marks an existing folder hard-deleted, keeping its last name and place. */
    public void markHardDeleted(Connection c, byte[] store, byte[] sourceKey, long at, EventPosition position, String syncId)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE folders SET hard_deleted_at = ?, last_journal_id = ?, last_observed_at = ?, last_event_id = ?, last_sync_id = ?
                WHERE store_guid = ? AND source_key = ?""")) {
            ps.setLong(1, at);
            ps.setLong(2, position.journalId());
            ps.setLong(3, position.observedAtMillis());
            ps.setString(4, position.eventId());
            ps.setString(5, syncId);
            ps.setBytes(6, store);
            ps.setBytes(7, sourceKey);
            ps.executeUpdate();
        }
    }

    /** Records one version (one event) of a folder. */
    public void insertVersion(Connection c, byte[] store, Operation operation, FolderState s, EventPosition position,
            boolean becameCurrent, String syncId, String reason, long nowMillis) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO folder_versions (store_guid, source_key, event_id, journal_id, observed_at, operation, parent_source_key,
                                             display_name, container_class, folder_type, soft_deleted, became_current, sync_id,
                                             reason, recorded_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")) {
            ps.setBytes(1, store);
            ps.setBytes(2, s.sourceKey());
            ps.setString(3, position.eventId());
            ps.setLong(4, position.journalId());
            ps.setLong(5, position.observedAtMillis());
            ps.setString(6, operation.name());
            Jdbc.setBytes(ps, 7, s.parentSourceKey());
            ps.setString(8, s.displayName());
            ps.setString(9, s.containerClass());
            ps.setInt(10, s.folderType());
            ps.setBoolean(11, s.softDeleted());
            ps.setBoolean(12, becameCurrent);
            ps.setString(13, syncId);
            ps.setString(14, reason);
            ps.setLong(15, nowMillis);
            ps.executeUpdate();
        }
    }

    /** Records which full sync reported the folder last; {@code null} when an incremental change set its state. */
    public void setSyncId(Connection c, byte[] store, byte[] sourceKey, String syncId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE folders SET last_sync_id = ? WHERE store_guid = ? AND source_key = ?")) {
            ps.setString(1, syncId);
            ps.setBytes(2, store);
            ps.setBytes(3, sourceKey);
            ps.executeUpdate();
        }
    }

    /** A live folder a completed full sync did not report, with its last state. */
    public record Unreported(FolderState state, EventPosition position) {
    }

    /** Folders of the store not hard-deleted, not reported by {@code syncId}, last changed at or before {@code journalId}. */
    public List<Unreported> lockUnreported(Connection c, byte[] store, String syncId, long journalId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT source_key, parent_source_key, hierarchy_id, display_name, container_class, folder_type, soft_deleted,
                       last_journal_id, last_observed_at, last_event_id
                FROM folders
                WHERE store_guid = ? AND hard_deleted_at IS NULL AND (last_sync_id IS NULL OR last_sync_id <> ?)
                  AND last_journal_id <= ?
                ORDER BY source_key FOR UPDATE""")) {
            ps.setBytes(1, store);
            ps.setString(2, syncId);
            ps.setLong(3, journalId);
            try (ResultSet rs = ps.executeQuery()) {
                List<Unreported> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(new Unreported(new FolderState(rs.getBytes(1), rs.getBytes(2), rs.getLong(3), rs.getString(4),
                            rs.getString(5), rs.getInt(6), rs.getBoolean(7)),
                            new EventPosition(rs.getLong(8), rs.getLong(9), rs.getString(10))));
                }
                return out;
            }
        }
    }

    /**
     * The state of every folder of the store as of {@code atMillis}: per folder the greatest version (by position)
     * observed at or before that instant. Folders without such a version did not exist yet.
     */
    public List<FolderRow> foldersAsOf(byte[] store, long atMillis) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("""
                        SELECT source_key, parent_source_key, display_name, container_class, folder_type, soft_deleted, operation
                        FROM folder_versions
                        WHERE store_guid = ? AND observed_at <= ?
                        ORDER BY source_key, journal_id, observed_at, event_id""")) {
            ps.setBytes(1, store);
            ps.setLong(2, atMillis);
            try (ResultSet rs = ps.executeQuery()) {
                Map<ByteBuffer, FolderRow> last = new java.util.LinkedHashMap<>();
                while (rs.next()) {
                    byte[] key = rs.getBytes("source_key");
                    boolean hard = "HARD_DELETE".equals(rs.getString("operation"));
                    FolderRow previous = last.get(ByteBuffer.wrap(key));
                    // a hard delete event may carry no name: the folder keeps its last name and place
                    String name = rs.getString("display_name");
                    byte[] parent = rs.getBytes("parent_source_key");
                    if (hard && previous != null) {
                        name = name == null ? previous.displayName() : name;
                        parent = parent == null ? previous.parentSourceKey() : parent;
                    }
                    last.put(ByteBuffer.wrap(key), new FolderRow(key, parent, name, rs.getString("container_class"),
                            rs.getInt("folder_type"), rs.getBoolean("soft_deleted"), hard));
                }
                return new ArrayList<>(last.values());
            }
        }
    }

    /** One version of a folder as the history shows it. */
    public record FolderVersionRow(byte[] sourceKey, String eventId, long journalId, long observedAt, String operation,
            byte[] parentSourceKey, String displayName, boolean softDeleted, boolean becameCurrent, String reason) {
    }

    /** Every version of one folder, oldest first (by position). */
    public List<FolderVersionRow> versions(byte[] store, byte[] sourceKey) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("""
                        SELECT source_key, event_id, journal_id, observed_at, operation, parent_source_key, display_name,
                               soft_deleted, became_current, reason
                        FROM folder_versions WHERE store_guid = ? AND source_key = ?
                        ORDER BY journal_id, observed_at, event_id""")) {
            ps.setBytes(1, store);
            ps.setBytes(2, sourceKey);
            try (ResultSet rs = ps.executeQuery()) {
                List<FolderVersionRow> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(new FolderVersionRow(rs.getBytes(1), rs.getString(2), rs.getLong(3), rs.getLong(4), rs.getString(5),
                            rs.getBytes(6), rs.getString(7), rs.getBoolean(8), rs.getBoolean(9), rs.getString(10)));
                }
                return out;
            }
        }
    }

    /**
     * Item totals per folder as of {@code atMillis}: each item counted in the folder of its version valid then
     * (the greatest version observed at or before it); items without such a version did not exist yet.
     */
    public Map<ByteBuffer, FolderCounts> itemCountsAsOf(byte[] store, long atMillis) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("""
                        SELECT v.folder_source_key,
                               SUM(v.operation <> 'HARD_DELETE') AS item_count,
                               SUM(CASE WHEN v.operation <> 'HARD_DELETE' THEN v.size ELSE 0 END) AS total_size,
                               SUM(v.operation <> 'HARD_DELETE' AND v.soft_deleted) AS soft_count,
                               SUM(CASE WHEN v.operation <> 'HARD_DELETE' AND v.soft_deleted THEN v.size ELSE 0 END) AS soft_size,
                               SUM(v.operation = 'HARD_DELETE') AS hard_count
                        FROM items i
                        JOIN item_versions v ON v.id = (
                            SELECT v2.id FROM item_versions v2 WHERE v2.item_id = i.id AND v2.observed_at <= ?
                            ORDER BY v2.journal_id DESC, v2.observed_at DESC, v2.event_id DESC LIMIT 1)
                        WHERE i.store_guid = ?
                        GROUP BY v.folder_source_key""")) {
            ps.setLong(1, atMillis);
            ps.setBytes(2, store);
            try (ResultSet rs = ps.executeQuery()) {
                Map<ByteBuffer, FolderCounts> out = new HashMap<>();
                while (rs.next()) {
                    out.put(ByteBuffer.wrap(rs.getBytes("folder_source_key")), new FolderCounts(rs.getLong("item_count"),
                            rs.getLong("total_size"), rs.getLong("soft_count"), rs.getLong("soft_size"), rs.getLong("hard_count")));
                }
                return out;
            }
        }
    }

    public List<FolderRow> folders(byte[] store) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("""
                        SELECT source_key, parent_source_key, display_name, container_class, folder_type, soft_deleted,
                               hard_deleted_at IS NOT NULL AS hard_deleted
                        FROM folders WHERE store_guid = ?""")) {
            ps.setBytes(1, store);
            try (ResultSet rs = ps.executeQuery()) {
                List<FolderRow> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(new FolderRow(rs.getBytes("source_key"), rs.getBytes("parent_source_key"),
                            rs.getString("display_name"), rs.getString("container_class"), rs.getInt("folder_type"),
                            rs.getBoolean("soft_deleted"), rs.getBoolean("hard_deleted")));
                }
                return out;
            }
        }
    }

    /** Item totals per folder of a store (see {@link io.kbr.catalog.model.StoreSummary} for what counts). */
    public Map<ByteBuffer, FolderCounts> itemCounts(byte[] store) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("""
                        SELECT folder_source_key,
                               SUM(hard_deleted_at IS NULL) AS item_count,
                               SUM(CASE WHEN hard_deleted_at IS NULL THEN size ELSE 0 END) AS total_size,
                               SUM(hard_deleted_at IS NULL AND soft_deleted) AS soft_count,
                               SUM(CASE WHEN hard_deleted_at IS NULL AND soft_deleted THEN size ELSE 0 END) AS soft_size,
                               SUM(hard_deleted_at IS NOT NULL) AS hard_count
                        FROM items WHERE store_guid = ? GROUP BY folder_source_key""")) {
            ps.setBytes(1, store);
            try (ResultSet rs = ps.executeQuery()) {
                Map<ByteBuffer, FolderCounts> out = new HashMap<>();
                while (rs.next()) {
                    out.put(ByteBuffer.wrap(rs.getBytes("folder_source_key")), new FolderCounts(rs.getLong("item_count"),
                            rs.getLong("total_size"), rs.getLong("soft_count"), rs.getLong("soft_size"), rs.getLong("hard_count")));
                }
                return out;
            }
        }
    }
}
