package io.kbr.catalog.persistence;

import io.kbr.catalog.model.EventPosition;
import io.kbr.catalog.model.FolderState;
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
    public void write(Connection c, byte[] store, FolderState s, Long hardDeletedAt, EventPosition position) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO folders (store_guid, source_key, parent_source_key, hierarchy_id, display_name, container_class,
                                     folder_type, soft_deleted, deleted_at, hard_deleted_at,
                                     last_journal_id, last_observed_at, last_event_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON DUPLICATE KEY UPDATE
                    parent_source_key = VALUES(parent_source_key), hierarchy_id = VALUES(hierarchy_id),
                    display_name = VALUES(display_name), container_class = VALUES(container_class),
                    folder_type = VALUES(folder_type),
                    deleted_at = CASE WHEN VALUES(soft_deleted) THEN COALESCE(deleted_at, VALUES(deleted_at)) ELSE NULL END,
                    soft_deleted = VALUES(soft_deleted), hard_deleted_at = VALUES(hard_deleted_at),
                    last_journal_id = VALUES(last_journal_id), last_observed_at = VALUES(last_observed_at),
                    last_event_id = VALUES(last_event_id)""")) {
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
            ps.executeUpdate();
        }
    }

    /** Marks an existing folder hard-deleted, keeping its last name and place. */
    public void markHardDeleted(Connection c, byte[] store, byte[] sourceKey, long at, EventPosition position) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE folders SET hard_deleted_at = ?, last_journal_id = ?, last_observed_at = ?, last_event_id = ?
                WHERE store_guid = ? AND source_key = ?""")) {
            ps.setLong(1, at);
            ps.setLong(2, position.journalId());
            ps.setLong(3, position.observedAtMillis());
            ps.setString(4, position.eventId());
            ps.setBytes(5, store);
            ps.setBytes(6, sourceKey);
            ps.executeUpdate();
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
