package io.kbr.catalog.restores;

import io.kbr.events.schema.RestoreEvent;
import io.kbr.events.schema.RestoreRequest;
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

/** Tables {@code restore_jobs}, {@code restore_items}, {@code restore_events}. */
@ApplicationScoped
public class RestoreJobRepository {
    private final DataSource dataSource;

    public RestoreJobRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public void insert(RestoreRequest r, String requestJson) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                INSERT INTO restore_jobs (job_id, state, request_json, store_guid, target_server, target_store, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)""")) {
            ps.setString(1, r.getJobId().toString());
            ps.setString(2, RestoreJobState.ACCEPTED);
            ps.setString(3, requestJson);
            ps.setString(4, r.getStoreGuid().toString());
            ps.setString(5, r.getTargetServerId().toString());
            ps.setString(6, r.getTargetStoreGuid().toString());
            ps.setLong(7, r.getRequestedAtMillis());
            ps.setLong(8, r.getRequestedAtMillis());
            ps.executeUpdate();
        }
    }

    /** Marks a job FAILED (e.g. its request could not be published). */
    public void fail(String jobId, String reason) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "UPDATE restore_jobs SET state = 'FAILED', reason = ?, updated_at = ? WHERE job_id = ?")) {
            ps.setString(1, reason);
            ps.setLong(2, System.currentTimeMillis());
            ps.setString(3, jobId);
            ps.executeUpdate();
        }
    }

    /**
     * Applies one event in one transaction; an event id seen before changes nothing (redelivery). Returns false
     * when the event was a duplicate or names an unknown job.
     */
    public boolean apply(RestoreEvent e) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                boolean applied = apply(c, e);
                c.commit();
                return applied;
            } catch (SQLException | RuntimeException x) {
                c.rollback();
                throw x;
            }
        }
    }

    private static boolean apply(Connection c, RestoreEvent e) throws SQLException {
        String jobId = e.getJobId().toString();
        String state;
        try (PreparedStatement ps = c.prepareStatement("SELECT state FROM restore_jobs WHERE job_id = ? FOR UPDATE")) {
            ps.setString(1, jobId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return false;
                }
                state = rs.getString(1);
            }
        }
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT IGNORE INTO restore_events (event_id, job_id, applied_at) VALUES (?, ?, ?)")) {
            ps.setString(1, e.getEventId().toString());
            ps.setString(2, jobId);
            ps.setLong(3, System.currentTimeMillis());
            if (ps.executeUpdate() == 0) {
                return false;
            }
        }
        if (e.getKind() == io.kbr.events.schema.RestoreEventKind.ITEM && e.getSourceKey() != null && e.getOutcome() != null) {
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO restore_items (job_id, source_key, outcome, reason, at_millis) VALUES (?, ?, ?, ?, ?)
                    ON DUPLICATE KEY UPDATE outcome = IF(VALUES(at_millis) >= at_millis, VALUES(outcome), outcome),
                        reason = IF(VALUES(at_millis) >= at_millis, VALUES(reason), reason),
                        at_millis = GREATEST(at_millis, VALUES(at_millis))""")) {
                ps.setString(1, jobId);
                ps.setString(2, e.getSourceKey().toString());
                ps.setString(3, e.getOutcome().name());
                ps.setString(4, e.getReason() == null ? null : e.getReason().toString());
                ps.setLong(5, e.getAtMillis());
                ps.executeUpdate();
            }
        }
        int failed = 0;
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT COUNT(*) FROM restore_items WHERE job_id = ? AND outcome = 'FAILED'")) {
            ps.setString(1, jobId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                failed = rs.getInt(1);
            }
        }
        String next = RestoreJobState.next(state, e, failed);
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE restore_jobs SET state = ?, selected = COALESCE(?, selected),
                    reason = COALESCE(?, reason), updated_at = ? WHERE job_id = ?""")) {
            ps.setString(1, next);
            if (e.getSelected() == null) {
                ps.setNull(2, Types.INTEGER);
            } else {
                ps.setInt(2, e.getSelected());
            }
            ps.setString(3, e.getKind() == io.kbr.events.schema.RestoreEventKind.FAILED && e.getReason() != null
                    ? e.getReason().toString() : null);
            ps.setLong(4, System.currentTimeMillis());
            ps.setString(5, jobId);
            ps.executeUpdate();
        }
        return true;
    }

    public Optional<RestoreJob> job(String jobId, boolean withItems) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            List<RestoreJob> jobs = jobs(c, "WHERE j.job_id = ?", jobId, 1, withItems);
            return jobs.stream().findFirst();
        }
    }

    /** Newest first. */
    public List<RestoreJob> list(int limit) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return jobs(c, "", null, limit, false);
        }
    }

    private static List<RestoreJob> jobs(Connection c, String where, String arg, int limit, boolean withItems) throws SQLException {
        String sql = """
                SELECT j.job_id, j.state, j.store_guid, j.target_server, j.target_store, j.selected, j.reason,
                       j.created_at, j.updated_at,
                       (SELECT COUNT(*) FROM restore_items i WHERE i.job_id = j.job_id AND i.outcome = 'RESTORED'),
                       (SELECT COUNT(*) FROM restore_items i WHERE i.job_id = j.job_id AND i.outcome = 'SKIPPED_DUPLICATE'),
                       (SELECT COUNT(*) FROM restore_items i WHERE i.job_id = j.job_id AND i.outcome = 'UNDELETED'),
                       (SELECT COUNT(*) FROM restore_items i WHERE i.job_id = j.job_id AND i.outcome = 'FAILED')
                FROM restore_jobs j %s ORDER BY j.created_at DESC, j.job_id LIMIT ?""".formatted(where);
        List<RestoreJob> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            int i = 1;
            if (arg != null) {
                ps.setString(i++, arg);
            }
            ps.setInt(i, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String id = rs.getString(1);
                    int selected = rs.getInt(6);
                    Integer sel = rs.wasNull() ? null : selected;
                    RestoreJob.Counts counts = new RestoreJob.Counts(sel, rs.getInt(10), rs.getInt(11), rs.getInt(12), rs.getInt(13));
                    out.add(new RestoreJob(id, rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), counts,
                            rs.getString(7), Instant.ofEpochMilli(rs.getLong(8)).toString(),
                            Instant.ofEpochMilli(rs.getLong(9)).toString(), withItems ? null : List.of()));
                }
            }
        }
        if (withItems) {
            List<RestoreJob> withList = new ArrayList<>();
            for (RestoreJob j : out) {
                List<RestoreJob.Item> items = new ArrayList<>();
                try (PreparedStatement ps = c.prepareStatement(
                        "SELECT source_key, outcome, reason FROM restore_items WHERE job_id = ? ORDER BY source_key")) {
                    ps.setString(1, j.id());
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            items.add(new RestoreJob.Item(rs.getString(1), rs.getString(2), rs.getString(3)));
                        }
                    }
                }
                withList.add(new RestoreJob(j.id(), j.state(), j.storeGuid(), j.targetServerId(), j.targetStoreGuid(),
                        j.counts(), j.reason(), j.createdAt(), j.updatedAt(), items));
            }
            return withList;
        }
        return out;
    }
}
