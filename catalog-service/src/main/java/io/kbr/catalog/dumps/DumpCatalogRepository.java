package io.kbr.catalog.dumps;

import io.kbr.events.schema.DumpEvent;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.sql.DataSource;

/** Table {@code dumps}: idempotent upsert by dump id, listing newest first. */
@ApplicationScoped
public class DumpCatalogRepository {

    private final DataSource dataSource;

    public DumpCatalogRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Stores the announcement; the same dump announced twice leaves one row with the later values. */
    public void upsert(DumpEvent e) throws SQLException {
        String sql = """
                INSERT INTO dumps (dump_id, server_id, kind, state, db_name, format, started_at, snapshot_at, finished_at,
                    stored_bytes, table_count, row_count, attachment_instances, missing_attachments, binlog_file,
                    binlog_position, gtid_position, manifest_key, problems, received_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON DUPLICATE KEY UPDATE state = VALUES(state), stored_bytes = VALUES(stored_bytes),
                    missing_attachments = VALUES(missing_attachments), problems = VALUES(problems)
                """;
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            int i = 1;
            ps.setString(i++, e.getDumpId().toString());
            ps.setString(i++, e.getServerId().toString());
            ps.setString(i++, e.getKind().name());
            ps.setString(i++, e.getState().name());
            ps.setString(i++, e.getDatabase().toString());
            ps.setString(i++, e.getFormat().toString());
            ps.setLong(i++, e.getStartedAtMillis());
            ps.setLong(i++, e.getSnapshotAtMillis());
            ps.setLong(i++, e.getFinishedAtMillis());
            ps.setLong(i++, e.getStoredBytes());
            ps.setInt(i++, e.getTables());
            ps.setLong(i++, e.getRows());
            ps.setInt(i++, e.getAttachmentInstances());
            ps.setInt(i++, e.getMissingAttachments());
            ps.setString(i++, e.getBinlogFile() == null ? null : e.getBinlogFile().toString());
            if (e.getBinlogPosition() == null) {
                ps.setNull(i++, Types.BIGINT);
            } else {
                ps.setLong(i++, e.getBinlogPosition());
            }
            ps.setString(i++, e.getGtidPosition() == null ? null : e.getGtidPosition().toString());
            ps.setString(i++, e.getManifestKey().toString());
            ps.setString(i++, e.getProblems().isEmpty() ? null : String.join("\n", e.getProblems().stream().map(Object::toString).toList()));
            ps.setLong(i, System.currentTimeMillis());
            if (!c.getAutoCommit()) {
                ps.executeUpdate();
                c.commit();
            } else {
                ps.executeUpdate();
            }
        }
    }

    /** Removes a dump that retention deleted; a dump not listed is no error. */
    public void delete(String dumpId) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("DELETE FROM dumps WHERE dump_id = ?")) {
            ps.setString(1, dumpId);
            ps.executeUpdate();
            if (!c.getAutoCommit()) {
                c.commit();
            }
        }
    }

    /** Dumps of {@code server} (all when null), newest snapshot first, at most {@code limit}. */
    public List<DumpListing> list(String server, int limit) throws SQLException {
        return list(server, null, limit);
    }

    /** Dumps of {@code server} and {@code kind} (LOGICAL/PHYSICAL; each all when null), newest snapshot first. */
    public List<DumpListing> list(String server, String kind, int limit) throws SQLException {
        String where = server == null && kind == null ? ""
                : " WHERE " + (server == null ? "" : "server_id = ?") + (server != null && kind != null ? " AND " : "")
                        + (kind == null ? "" : "kind = ?");
        String sql = "SELECT * FROM dumps" + where + " ORDER BY snapshot_at DESC, dump_id DESC LIMIT ?";
        List<DumpListing> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            int i = 1;
            if (server != null) {
                ps.setString(i++, server);
            }
            if (kind != null) {
                ps.setString(i++, kind);
            }
            ps.setInt(i, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long pos = rs.getLong("binlog_position");
                    Long position = rs.wasNull() ? null : pos;
                    String problems = rs.getString("problems");
                    out.add(new DumpListing(rs.getString("dump_id"), rs.getString("server_id"), rs.getString("kind"),
                            rs.getString("state"), rs.getString("db_name"), rs.getString("format"),
                            Instant.ofEpochMilli(rs.getLong("started_at")), Instant.ofEpochMilli(rs.getLong("snapshot_at")),
                            Instant.ofEpochMilli(rs.getLong("finished_at")), rs.getLong("stored_bytes"), rs.getInt("table_count"),
                            rs.getLong("row_count"), rs.getInt("attachment_instances"), rs.getInt("missing_attachments"),
                            new DumpListing.SnapshotPosition(rs.getString("binlog_file"), position, rs.getString("gtid_position")),
                            rs.getString("manifest_key"), problems == null ? List.of() : Arrays.asList(problems.split("\n"))));
                }
            }
        }
        return out;
    }
}
