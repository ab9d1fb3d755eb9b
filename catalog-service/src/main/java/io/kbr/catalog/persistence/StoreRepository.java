package io.kbr.catalog.persistence;

import io.kbr.catalog.mapping.Hex;
import io.kbr.catalog.model.BlobReference;
import io.kbr.catalog.model.EventPosition;
import io.kbr.catalog.model.MetadataVersion;
import io.kbr.catalog.model.StoreDescription;
import io.kbr.catalog.model.StoreProgress;
import io.kbr.catalog.model.StoreSummary;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/** Table {@code stores}: one row per store, its description and how far its events got. */
@ApplicationScoped
public class StoreRepository {

    private static final String SUMMARY_SELECT = """
            SELECT s.store_guid, s.server_id, s.user_name, s.store_type, s.metadata_sha256, s.metadata_size, s.max_journal_id,
                   s.last_sync_id, s.last_sync_completed_at, s.last_sync_removed,
                   s.metadata_pack, s.metadata_offset, s.metadata_stored_length,
                   COALESCE(i.item_count, 0) AS item_count, COALESCE(i.total_size, 0) AS total_size,
                   COALESCE(i.soft_count, 0) AS soft_count, COALESCE(i.soft_size, 0) AS soft_size,
                   COALESCE(i.hard_count, 0) AS hard_count,
                   (SELECT COUNT(*) FROM folders f WHERE f.store_guid = s.store_guid AND f.hard_deleted_at IS NULL) AS folder_count
            FROM stores s
            LEFT JOIN (
                SELECT store_guid,
                       SUM(hard_deleted_at IS NULL) AS item_count,
                       SUM(CASE WHEN hard_deleted_at IS NULL THEN size ELSE 0 END) AS total_size,
                       SUM(hard_deleted_at IS NULL AND soft_deleted) AS soft_count,
                       SUM(CASE WHEN hard_deleted_at IS NULL AND soft_deleted THEN size ELSE 0 END) AS soft_size,
                       SUM(hard_deleted_at IS NOT NULL) AS hard_count
                FROM items
                %s
                GROUP BY store_guid
            ) i ON i.store_guid = s.store_guid
            """;

    private final DataSource dataSource;

    public StoreRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Creates the store's row on its first event and counts the event; the row lock it takes serialises all
     * events of one store, also across catalog instances during a consumer-group rebalance.
     */
    public void recordEvent(Connection c, byte[] guid, String serverId, EventPosition position, long nowMillis) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO stores (store_guid, server_id, events_applied, max_journal_id, max_observed_at, last_applied_at)
                VALUES (?, ?, 1, ?, ?, ?)
                ON DUPLICATE KEY UPDATE
                    events_applied = events_applied + 1,
                    max_journal_id = GREATEST(max_journal_id, ?),
                    max_observed_at = GREATEST(max_observed_at, ?),
                    last_applied_at = ?""")) {
            ps.setBytes(1, guid);
            ps.setString(2, serverId);
            ps.setLong(3, position.journalId());
            ps.setLong(4, position.observedAtMillis());
            ps.setLong(5, nowMillis);
            ps.setLong(6, position.journalId());
            ps.setLong(7, position.observedAtMillis());
            ps.setLong(8, nowMillis);
            ps.executeUpdate();
        }
    }

    /** The position of the StoreChange that described the store, if one did. Locks the row. */
    public Optional<EventPosition> lockDescription(Connection c, byte[] guid) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT last_journal_id, last_observed_at, last_event_id FROM stores WHERE store_guid = ? FOR UPDATE")) {
            ps.setBytes(1, guid);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next() || rs.getString("last_event_id") == null) {
                    return Optional.empty();
                }
                return Optional.of(new EventPosition(rs.getLong("last_journal_id"), rs.getLong("last_observed_at"),
                        rs.getString("last_event_id")));
            }
        }
    }

    public void describe(Connection c, byte[] guid, String serverId, StoreDescription d, EventPosition position) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE stores SET server_id = ?, user_name = ?, store_type = ?, metadata_sha256 = ?, metadata_size = ?,
                       last_journal_id = ?, last_observed_at = ?, last_event_id = ?,
                       metadata_pack = ?, metadata_offset = ?, metadata_stored_length = ?
                WHERE store_guid = ?""")) {
            ps.setString(1, serverId);
            ps.setString(2, d.userName());
            ps.setInt(3, d.storeType());
            if (d.metadata() == null) {
                ps.setNull(4, Types.CHAR);
                ps.setNull(5, Types.BIGINT);
            } else {
                ps.setString(4, d.metadata().sha256());
                ps.setLong(5, d.metadata().size());
            }
            ps.setLong(6, position.journalId());
            ps.setLong(7, position.observedAtMillis());
            ps.setString(8, position.eventId());
            boolean packed = d.metadata() != null && d.metadata().pack() != null;
            ps.setString(9, packed ? d.metadata().pack() : null);
            Jdbc.setLong(ps, 10, packed ? d.metadata().offset() : null);
            Jdbc.setLong(ps, 11, packed ? d.metadata().storedLength() : null);
            ps.setBytes(12, guid);
            ps.executeUpdate();
        }
    }

    /**
     * Adds {@code metadata} to the store's metadata history (table {@code store_metadata_versions}), whether or not the
     * event is the newest description (a late event still says what the metadata was at its instant). A document equal
     * to the one the store had at that instant adds no row; the same event twice adds one.
     */
    public void recordMetadataVersion(Connection c, byte[] guid, BlobReference metadata, EventPosition position) throws SQLException {
        Optional<MetadataVersion> before = metadataAt(c, guid, position.observedAtMillis());
        if (before.isPresent() && before.get().sha256().equals(metadata.sha256())) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT IGNORE INTO store_metadata_versions (store_guid, event_id, journal_id, observed_at, metadata_sha256,
                       metadata_size, metadata_pack, metadata_offset, metadata_stored_length)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""")) {
            ps.setBytes(1, guid);
            ps.setString(2, position.eventId());
            ps.setLong(3, position.journalId());
            ps.setLong(4, position.observedAtMillis());
            ps.setString(5, metadata.sha256());
            ps.setLong(6, metadata.size());
            boolean packed = metadata.pack() != null;
            ps.setString(7, packed ? metadata.pack() : null);
            Jdbc.setLong(ps, 8, packed ? metadata.offset() : null);
            Jdbc.setLong(ps, 9, packed ? metadata.storedLength() : null);
            ps.executeUpdate();
        }
    }

    /** The metadata document the store had at {@code asOfMillis}: the latest one observed at or before it. */
    public Optional<MetadataVersion> metadataAt(Connection c, byte[] guid, long asOfMillis) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(METADATA_SELECT
                + " WHERE store_guid = ? AND observed_at <= ? ORDER BY observed_at DESC, journal_id DESC, id DESC LIMIT 1")) {
            ps.setBytes(1, guid);
            ps.setLong(2, asOfMillis);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(metadataVersion(rs)) : Optional.empty();
            }
        }
    }

    /** Every metadata document of the store, oldest first. */
    public List<MetadataVersion> metadataVersions(byte[] guid) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(METADATA_SELECT
                + " WHERE store_guid = ? ORDER BY observed_at, journal_id, id")) {
            ps.setBytes(1, guid);
            try (ResultSet rs = ps.executeQuery()) {
                List<MetadataVersion> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(metadataVersion(rs));
                }
                return out;
            }
        }
    }

    /** {@link #metadataAt(Connection, byte[], long)} on its own connection. */
    public Optional<MetadataVersion> metadataAt(byte[] guid, Instant asOf) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return metadataAt(c, guid, asOf.toEpochMilli());
        }
    }

    private static final String METADATA_SELECT = """
            SELECT observed_at, journal_id, event_id, metadata_sha256, metadata_size, metadata_pack, metadata_offset,
                   metadata_stored_length
            FROM store_metadata_versions""";

    private static MetadataVersion metadataVersion(ResultSet rs) throws SQLException {
        return new MetadataVersion(Instant.ofEpochMilli(rs.getLong("observed_at")), rs.getLong("journal_id"), rs.getString("event_id"),
                rs.getString("metadata_sha256"), rs.getLong("metadata_size"), rs.getString("metadata_pack"),
                Jdbc.getLong(rs, "metadata_offset"), Jdbc.getLong(rs, "metadata_stored_length"));
    }

    /** Records the last completed full sync of the store and how many objects it found gone. */
    public void recordSyncCompleted(Connection c, byte[] guid, String syncId, EventPosition position, long removed)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE stores SET last_sync_id = ?, last_sync_journal_id = ?, last_sync_completed_at = ?, last_sync_removed = ?
                WHERE store_guid = ?""")) {
            ps.setString(1, syncId);
            ps.setLong(2, position.journalId());
            ps.setLong(3, position.observedAtMillis());
            ps.setLong(4, removed);
            ps.setBytes(5, guid);
            ps.executeUpdate();
        }
    }

    public boolean exists(byte[] guid) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT 1 FROM stores WHERE store_guid = ?")) {
            ps.setBytes(1, guid);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    public List<StoreSummary> summaries() throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(SUMMARY_SELECT.formatted("")
                        + " ORDER BY s.user_name IS NULL, s.user_name, s.store_guid");
                ResultSet rs = ps.executeQuery()) {
            List<StoreSummary> out = new ArrayList<>();
            while (rs.next()) {
                out.add(summary(rs));
            }
            return out;
        }
    }

    public Optional<StoreSummary> summary(byte[] guid) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(SUMMARY_SELECT.formatted("WHERE store_guid = ?")
                        + " WHERE s.store_guid = ?")) {
            ps.setBytes(1, guid);
            ps.setBytes(2, guid);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(summary(rs)) : Optional.empty();
            }
        }
    }

    public List<StoreProgress> progress() throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("""
                        SELECT store_guid, server_id, events_applied, max_journal_id, max_observed_at, last_applied_at
                        FROM stores ORDER BY store_guid""");
                ResultSet rs = ps.executeQuery()) {
            List<StoreProgress> out = new ArrayList<>();
            while (rs.next()) {
                out.add(new StoreProgress(Hex.encode(rs.getBytes("store_guid")), rs.getString("server_id"),
                        rs.getLong("events_applied"), rs.getLong("max_journal_id"),
                        Instant.ofEpochMilli(rs.getLong("max_observed_at")), Instant.ofEpochMilli(rs.getLong("last_applied_at"))));
            }
            return out;
        }
    }

    private static StoreSummary summary(ResultSet rs) throws SQLException {
        return new StoreSummary(
                Hex.encode(rs.getBytes("store_guid")),
                rs.getString("server_id"),
                rs.getString("user_name"),
                Jdbc.getInt(rs, "store_type"),
                rs.getLong("item_count"),
                rs.getLong("total_size"),
                rs.getLong("soft_count"),
                rs.getLong("soft_size"),
                rs.getLong("hard_count"),
                rs.getLong("folder_count"),
                rs.getString("metadata_sha256"),
                Jdbc.getLong(rs, "metadata_size"),
                rs.getLong("max_journal_id"),
                rs.getString("last_sync_id"),
                Jdbc.instant(rs, "last_sync_completed_at"),
                Jdbc.getLong(rs, "last_sync_removed"),
                rs.getString("metadata_pack"),
                Jdbc.getLong(rs, "metadata_offset"),
                Jdbc.getLong(rs, "metadata_stored_length"));
    }
}
